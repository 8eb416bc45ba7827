// The "ipc" section of a board JSON file: which IPC interfaces the kernel offers, the back-end
// that moves the data, the services apps provide, and what happens when apps fault
// (docs/board-config.md, "ipc").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/object_reader.h"

namespace tockctl::config {

/// A userspace IPC interface.
enum class IpcInterface { kMessagePassing, kSharedMemory, kRpc };
/// How the kernel moves IPC data: always copy, always share memory, or copy small and share large.
enum class IpcBackend { kCopy, kShared, kAuto };
/// How clients find services: 20-byte string names (0xA0000) or server package names (0xA0001).
enum class IpcDiscovery { kStringName, kPackageName };
/// What clients see when their server faults.
enum class ServerFaultAction { kNotify, kReconnect };
/// What the kernel does with a faulted server process.
enum class ServerRestart { kRestart, kStop };
/// What happens to a faulted client's connections (other clients are never affected).
enum class ClientFaultAction { kRelease, kNotifyServer };
/// How a server learns who its client is.
enum class IpcAuthMethod { kNone, kPackageName, kAppId };

/// Longest service name the string-name registry stores (bytes).
inline constexpr size_t kMaxServiceNameBytes = 20;

/// "*" (every app) or a list of app (TBF package) names ("" marks an entry that was not a name).
struct AppSelection {
  bool all = true;
  std::vector<std::string> apps;
  bool Includes(const std::string& app) const;
};

/// One service: a server app answering clients through one interface.
struct IpcService {
  std::string name;
  std::string server;
  IpcInterface interface = IpcInterface::kMessagePassing;
  AppSelection allowed_clients;
  uint32_t buffers_per_connection = 2;
  uint32_t max_message_size = 256;  ///< Bytes.
  uint32_t max_clients = 4;
  bool authenticate = false;
};

/// One client app and the services it connects to.
struct IpcClient {
  std::string app;
  std::vector<std::string> services;
  bool reliable = false;  ///< Keep requests for a restarting server instead of failing them.
};

/// Fault behaviour seen by clients and servers.
struct IpcFaultPolicy {
  ServerFaultAction server_fault = ServerFaultAction::kNotify;
  ServerRestart server_restart = ServerRestart::kRestart;
  ClientFaultAction client_fault = ClientFaultAction::kNotifyServer;
  uint32_t reliable_timeout_ms = 1000;
};

/// The whole "ipc" object.
struct IpcConfig {
  /// Offered interfaces; when the file does not list them (or lists something invalid), the
  /// interfaces the services use, and `interfaces_listed` is false.
  std::vector<IpcInterface> interfaces;
  bool interfaces_listed = false;
  IpcBackend backend = IpcBackend::kAuto;
  bool backend_known = true;  ///< False when "backend" holds an unknown value (reported when read).
  uint32_t copy_threshold = 256;  ///< auto: messages up to this many bytes are copied.
  IpcDiscovery discovery = IpcDiscovery::kStringName;
  std::vector<IpcService> services;
  std::vector<IpcClient> clients;
  IpcFaultPolicy fault_policy;
  IpcAuthMethod authentication = IpcAuthMethod::kNone;

  /// The service called `name`, or nullptr.
  const IpcService* FindService(const std::string& name) const;
  /// True if `interface` is offered.
  bool Offers(IpcInterface interface) const;
};

/// The JSON spelling of each value ("message_passing", "copy", ...); never fails.
const char* Name(IpcInterface v);
const char* Name(IpcBackend v);
const char* Name(IpcDiscovery v);
const char* Name(ServerFaultAction v);
const char* Name(ServerRestart v);
const char* Name(ClientFaultAction v);
const char* Name(IpcAuthMethod v);

/// Reads the "ipc" object at `pointer`, adding a finding for every structural problem (type,
/// enum, range, unknown key). Members with problems keep their defaults.
IpcConfig ReadIpcConfig(const OrderedJson& json, const std::string& pointer,
                        ValidationReport& report);

/// Reads "*" or a list of app names at `pointer` (error otherwise).
AppSelection ReadAppSelection(const OrderedJson& json, const std::string& pointer,
                              ValidationReport& report);

/// Strict conversion: throws Error(kInvalidInput) naming the first structural problem.
void from_json(const OrderedJson& json, IpcConfig& config);
/// Writes every field explicitly.
void to_json(OrderedJson& json, const IpcConfig& config);
/// "*" or the list of app names.
void to_json(OrderedJson& json, const AppSelection& selection);

}  // namespace tockctl::config
