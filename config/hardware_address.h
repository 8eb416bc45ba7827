// Link-layer addresses in board JSON: 48-bit MACs ("02:00:00:00:00:01") and EUI-64s
// ("02:00:00:00:00:00:00:01").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tockctl::config {

/// Bytes in a MAC address and in an EUI-64.
inline constexpr size_t kMacBytes = 6;
inline constexpr size_t kEui64Bytes = 8;

/// Parses `bytes` colon-separated pairs of hex digits; nullopt if the text is anything else.
std::optional<std::vector<uint8_t>> ParseHardwareAddress(std::string_view text, size_t bytes);

/// Lowercase colon-separated hex ("02:1a:..").
std::string FormatHardwareAddress(const std::vector<uint8_t>& address);

/// True if the group (multicast) bit, bit 0 of the first byte, is set.
bool IsGroupAddress(const std::vector<uint8_t>& address);
/// True if the locally-administered bit, bit 1 of the first byte, is set.
bool IsLocallyAdministered(const std::vector<uint8_t>& address);

/// A stable unicast, locally-administered address of `bytes` bytes derived from `seed`
/// (e.g. "qemu_rv32_virt/eth0"): the same seed always gives the same address.
std::vector<uint8_t> DeriveHardwareAddress(std::string_view seed, size_t bytes);

}  // namespace tockctl::config
