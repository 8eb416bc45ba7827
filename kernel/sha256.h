// SHA-256 digests (OpenSSL) of images and board files, as lowercase hex.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tockctl::kernel {

/// SHA-256 of `bytes` as 64 lowercase hex digits. Throws Error(kInternal) if OpenSSL fails.
std::string Sha256Hex(std::span<const uint8_t> bytes);
/// SHA-256 of the bytes of `text`.
std::string Sha256Hex(std::string_view text);

}  // namespace tockctl::kernel
