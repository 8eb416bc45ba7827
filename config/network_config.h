// The "network" section of a board JSON file: the interfaces the kernel brings up, which network
// stack serves each one and where it runs, how frames reach apps, and which apps may use them
// (docs/board-config.md, "network").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/ipc_config.h"
#include "config/object_reader.h"

namespace tockctl::config {

/// Link kind; matches "kind" in the board's network_hardware.
enum class NetworkKind { kEthernet, kIeee802154, kWifi, kCan, kBle };
/// Stack serving an interface: raw (apps use the driver directly) or a protocol stack.
enum class NetworkStack { kRaw, kLwip, kSmoltcp, kOpenthread, kTockUdp };
/// Where the stack runs: kernel (Rust), userspace (an app), encapsulated (C inside the kernel).
enum class StackPlacement { kKernel, kUserspace, kEncapsulated };
/// How received traffic reaches apps: every app gets everything, or the owner only.
enum class Multiplexing { kBroadcast, kDemux };

/// One network interface.
struct NetworkInterface {
  std::string name;
  NetworkKind kind = NetworkKind::kEthernet;
  bool kind_known = true;  ///< False when "kind" was missing or unknown: kind rules are skipped.
  std::string hardware;    ///< network_hardware entry name; empty = the first of this kind.
  std::optional<std::vector<uint8_t>> mac;    ///< 6 bytes (ethernet, wifi, ble).
  std::optional<std::vector<uint8_t>> eui64;  ///< 8 bytes (ieee802154).
  uint32_t mtu = 0;  ///< Bytes; 0 until read (then the kind's default if absent).
  NetworkStack stack = NetworkStack::kRaw;
  StackPlacement placement = StackPlacement::kUserspace;
  Multiplexing multiplexing = Multiplexing::kBroadcast;
  AppSelection apps;
  std::string service;  ///< IPC service offering a userspace stack to other apps (optional).
  std::optional<uint32_t> channel;  ///< ieee802154: 11..26.
  std::optional<uint32_t> pan_id;   ///< ieee802154: 0..0xfffe.
  bool can_fd = false;              ///< can: CAN FD frames (64-byte payloads).
};

/// The whole "network" object.
struct NetworkConfig {
  std::vector<NetworkInterface> interfaces;
};

/// Largest MTU of a kind (64 for CAN FD).
struct MtuLimits {
  uint32_t min = 0;
  uint32_t max = 0;
  uint32_t default_mtu = 0;
};
/// MTU limits of `kind` (classic or FD CAN per `can_fd`).
MtuLimits MtuLimitsFor(NetworkKind kind, bool can_fd);

/// Default placement for a stack: raw/lwip/openthread in userspace, smoltcp/tock-udp in the kernel.
StackPlacement DefaultPlacement(NetworkStack stack);

/// The JSON spelling of each value ("ieee802154", "tock-udp", ...); never fails.
const char* Name(NetworkKind v);
const char* Name(NetworkStack v);
const char* Name(StackPlacement v);
const char* Name(Multiplexing v);

/// Reads the "network" object at `pointer`, adding a finding for every structural problem.
NetworkConfig ReadNetworkConfig(const OrderedJson& json, const std::string& pointer,
                                ValidationReport& report);

/// Strict conversion: throws Error(kInvalidInput) naming the first structural problem.
void from_json(const OrderedJson& json, NetworkConfig& config);
/// Writes every field explicitly (optional ones only when set).
void to_json(OrderedJson& json, const NetworkConfig& config);

}  // namespace tockctl::config
