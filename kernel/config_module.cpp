#include "kernel/config_module.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "config/board_catalog.h"
#include "config/config_template.h"
#include "config/config_validator.h"
#include "config/json_document.h"
#include "kernel/rust_expr.h"
#include "kernel/sha256.h"
#include "kernel/text_template.h"

namespace tockctl::kernel {
namespace {

using config::IpcConfig;
using config::NetworkConfig;
using config::NetworkInterface;

std::string ByteHex(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

// Printable ASCII only, so the text can sit in a `//` comment.
std::string CommentSafe(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c < 0x20 || c > 0x7e) c = '?';
  return out;
}

// Throws the first error of a checked file, with its place and the number of errors.
void RequireValid(const config::CheckedBoardConfig& checked, const std::string& path) {
  config::RequireValidBoardConfig(checked, path, "the kernel configuration was not generated");
}

ConfigModuleSource FromChecked(config::CheckedBoardConfig checked, const config::JsonDocument& doc,
                               const std::string& path) {
  RequireValid(checked, path);
  ConfigModuleSource source;
  source.board = *checked.board;
  source.ipc = checked.ipc;
  source.network = checked.network;
  source.trace = checked.trace;
  source.path = path;
  source.file_name = std::filesystem::path(doc.file()).filename().string();
  source.sha256 = Sha256Hex(doc.text());
  return source;
}

RustExpr Path(const char* type, const char* variant) {
  return RustExpr::Atom(std::string(type) + "::" + variant);
}

RustExpr Bool(bool v) { return RustExpr::Atom(v ? "true" : "false"); }
RustExpr Number(uint64_t v) { return RustExpr::Atom(std::to_string(v)); }

RustExpr StringList(const std::vector<std::string>& names) {
  std::vector<RustExpr> items;
  items.reserve(names.size());
  for (const auto& name : names) items.push_back(RustExpr::String(name));
  return RustExpr::Array(std::move(items), true);
}

RustExpr Apps(const config::AppSelection& selection) {
  if (selection.all) return Path("AppSelection", "All");
  return RustExpr::Call("AppSelection::Only", StringList(selection.apps));
}

RustExpr Interface(config::IpcInterface v) {
  switch (v) {
    case config::IpcInterface::kMessagePassing:
      return Path("IpcInterface", "MessagePassing");
    case config::IpcInterface::kSharedMemory:
      return Path("IpcInterface", "SharedMemory");
    case config::IpcInterface::kRpc:
      return Path("IpcInterface", "Rpc");
  }
  throw Error(ErrorCategory::kInternal, "unknown IPC interface");
}

RustExpr Backend(config::IpcBackend v) {
  switch (v) {
    case config::IpcBackend::kCopy:
      return Path("IpcBackend", "Copy");
    case config::IpcBackend::kShared:
      return Path("IpcBackend", "Shared");
    case config::IpcBackend::kAuto:
      return Path("IpcBackend", "Auto");
  }
  throw Error(ErrorCategory::kInternal, "unknown IPC back-end");
}

RustExpr DiscoveryExpr(config::IpcDiscovery v) {
  return v == config::IpcDiscovery::kStringName ? Path("Discovery", "StringName")
                                                : Path("Discovery", "PackageName");
}

RustExpr AuthExpr(config::IpcAuthMethod v) {
  switch (v) {
    case config::IpcAuthMethod::kNone:
      return Path("Authentication", "None");
    case config::IpcAuthMethod::kPackageName:
      return Path("Authentication", "PackageName");
    case config::IpcAuthMethod::kAppId:
      return Path("Authentication", "AppId");
  }
  throw Error(ErrorCategory::kInternal, "unknown IPC authentication");
}

RustExpr FaultPolicyExpr(const config::IpcFaultPolicy& p) {
  using config::ClientFaultAction;
  using config::ServerFaultAction;
  using config::ServerRestart;
  return RustExpr::Struct("FaultPolicy",
                          {{"server_fault", p.server_fault == ServerFaultAction::kNotify
                                                ? Path("ServerFaultAction", "Notify")
                                                : Path("ServerFaultAction", "Reconnect")},
                           {"server_restart", p.server_restart == ServerRestart::kRestart
                                                  ? Path("ServerRestart", "Restart")
                                                  : Path("ServerRestart", "Stop")},
                           {"client_fault", p.client_fault == ClientFaultAction::kRelease
                                                ? Path("ClientFaultAction", "Release")
                                                : Path("ClientFaultAction", "NotifyServer")},
                           {"reliable_timeout_ms", Number(p.reliable_timeout_ms)}});
}

RustExpr ServiceExpr(const config::IpcService& s) {
  return RustExpr::Struct("ServiceConfig",
                          {{"name", RustExpr::String(s.name)},
                           {"server", RustExpr::String(s.server)},
                           {"interface", Interface(s.interface)},
                           {"allowed_clients", Apps(s.allowed_clients)},
                           {"buffers_per_connection", Number(s.buffers_per_connection)},
                           {"max_message_size", Number(s.max_message_size)},
                           {"max_clients", Number(s.max_clients)},
                           {"authenticate", Bool(s.authenticate)}});
}

RustExpr ClientExpr(const config::IpcClient& c) {
  return RustExpr::Struct("ClientConfig", {{"app", RustExpr::String(c.app)},
                                           {"services", StringList(c.services)},
                                           {"reliable", Bool(c.reliable)}});
}

RustExpr IpcExpr(const IpcConfig& ipc) {
  std::vector<RustExpr> interfaces, services, clients;
  for (auto i : ipc.interfaces) interfaces.push_back(Interface(i));
  for (const auto& s : ipc.services) services.push_back(ServiceExpr(s));
  for (const auto& c : ipc.clients) clients.push_back(ClientExpr(c));
  return RustExpr::Struct("IpcConfig",
                          {{"interfaces", RustExpr::Array(std::move(interfaces), true)},
                           {"backend", Backend(ipc.backend)},
                           {"copy_threshold", Number(ipc.copy_threshold)},
                           {"discovery", DiscoveryExpr(ipc.discovery)},
                           {"services", RustExpr::Array(std::move(services), true)},
                           {"clients", RustExpr::Array(std::move(clients), true)},
                           {"fault_policy", FaultPolicyExpr(ipc.fault_policy)},
                           {"authentication", AuthExpr(ipc.authentication)}});
}

RustExpr KindExpr(config::NetworkKind v) {
  switch (v) {
    case config::NetworkKind::kEthernet:
      return Path("InterfaceKind", "Ethernet");
    case config::NetworkKind::kIeee802154:
      return Path("InterfaceKind", "Ieee802154");
    case config::NetworkKind::kWifi:
      return Path("InterfaceKind", "Wifi");
    case config::NetworkKind::kCan:
      return Path("InterfaceKind", "Can");
    case config::NetworkKind::kBle:
      return Path("InterfaceKind", "Ble");
  }
  throw Error(ErrorCategory::kInternal, "unknown network kind");
}

RustExpr StackExpr(config::NetworkStack v) {
  switch (v) {
    case config::NetworkStack::kRaw:
      return Path("Stack", "Raw");
    case config::NetworkStack::kLwip:
      return Path("Stack", "Lwip");
    case config::NetworkStack::kSmoltcp:
      return Path("Stack", "Smoltcp");
    case config::NetworkStack::kOpenthread:
      return Path("Stack", "OpenThread");
    case config::NetworkStack::kTockUdp:
      return Path("Stack", "TockUdp");
  }
  throw Error(ErrorCategory::kInternal, "unknown network stack");
}

RustExpr PlacementExpr(config::StackPlacement v) {
  switch (v) {
    case config::StackPlacement::kKernel:
      return Path("Placement", "Kernel");
    case config::StackPlacement::kUserspace:
      return Path("Placement", "Userspace");
    case config::StackPlacement::kEncapsulated:
      return Path("Placement", "Encapsulated");
  }
  throw Error(ErrorCategory::kInternal, "unknown stack placement");
}

RustExpr AddressExpr(const NetworkInterface& n) {
  const auto& bytes = n.mac ? n.mac : n.eui64;
  if (!bytes) return Path("LinkAddress", "None");
  std::vector<RustExpr> items;
  for (uint8_t b : *bytes) items.push_back(RustExpr::Atom(ByteHex(b)));
  return RustExpr::Call(n.mac ? "LinkAddress::Mac" : "LinkAddress::Eui64",
                        RustExpr::Array(std::move(items), false));
}

template <typename T>
RustExpr Optional(const std::optional<T>& v, RustExpr (*make)(const T&)) {
  return v ? RustExpr::Call("Some", make(*v)) : RustExpr::Atom("None");
}

// The hardware entry serving `n`: the one named, else the first of its kind.
const config::NetworkHardware* HardwareFor(const config::HardwareBoard& board,
                                           const NetworkInterface& n) {
  for (const auto& hw : board.network_hardware)
    if (n.hardware.empty() ? hw.kind == config::Name(n.kind) : hw.name == n.hardware) return &hw;
  return nullptr;
}

RustExpr InterfaceExpr(const config::HardwareBoard& board, const NetworkInterface& n) {
  const config::NetworkHardware* hw = HardwareFor(board, n);
  auto str = [](const std::string& s) { return RustExpr::String(s); };
  auto hex = [](const uint32_t& v) { return RustExpr::Atom(HexNumber(v)); };
  auto num = [](const uint32_t& v) { return Number(v); };
  return RustExpr::Struct(
      "NetworkInterfaceConfig",
      {{"name", RustExpr::String(n.name)},
       {"kind", KindExpr(n.kind)},
       {"hardware", RustExpr::String(hw ? hw->name : n.hardware)},
       {"driver_num", RustExpr::Atom(HexNumber(hw ? hw->driver_num : 0))},
       {"address", AddressExpr(n)},
       {"mtu", Number(n.mtu)},
       {"stack", StackExpr(n.stack)},
       {"placement", PlacementExpr(n.placement)},
       {"multiplexing", n.multiplexing == config::Multiplexing::kBroadcast
                            ? Path("Multiplexing", "Broadcast")
                            : Path("Multiplexing", "Demux")},
       {"apps", Apps(n.apps)},
       {"service",
        Optional<std::string>(n.service.empty() ? std::nullopt : std::optional(n.service), +str)},
       {"channel", Optional<uint32_t>(n.channel, +num)},
       {"pan_id", Optional<uint32_t>(n.pan_id, +hex)},
       {"can_fd", Bool(n.can_fd)}});
}

RustExpr NetworkExpr(const config::HardwareBoard& board, const NetworkConfig& network) {
  std::vector<RustExpr> interfaces;
  for (const auto& n : network.interfaces) interfaces.push_back(InterfaceExpr(board, n));
  return RustExpr::Struct("NetworkConfig",
                          {{"interfaces", RustExpr::Array(std::move(interfaces), true)}});
}

RustExpr SourceExpr(const ConfigModuleSource& s) {
  return RustExpr::Struct("Source", {{"board", RustExpr::String(s.board.name)},
                                     {"file", RustExpr::String(s.file_name)},
                                     {"sha256", RustExpr::String(s.sha256)}});
}

void AddIpcValues(std::map<std::string, std::string>& v, const std::optional<IpcConfig>& ipc) {
  IpcConfig none;
  none.interfaces.clear();
  const IpcConfig& c = ipc ? *ipc : none;
  uint32_t max_message = 0, max_buffers = 0;
  for (const auto& s : c.services) {
    max_message = std::max(max_message, s.max_message_size);
    max_buffers = std::max(max_buffers, s.buffers_per_connection);
  }
  v["IPC_SERVICE_COUNT"] = std::to_string(c.services.size());
  v["IPC_CLIENT_COUNT"] = std::to_string(c.clients.size());
  v["IPC_MAX_MESSAGE_SIZE"] = std::to_string(max_message);
  v["IPC_MAX_BUFFERS_PER_CONNECTION"] = std::to_string(max_buffers);
  v["IPC_NOTE"] =
      ipc ? "the \"ipc\" section of the board file" : "off (the board file has no \"ipc\" section)";
  v["IPC"] = RenderRustItem("pub static IPC: IpcConfig = ",
                            ipc ? IpcExpr(*ipc) : RustExpr::Atom("IpcConfig::DISABLED"));
}

void AddNetworkValues(std::map<std::string, std::string>& v, const ConfigModuleSource& s) {
  const auto& network = s.network;
  size_t count = network ? network->interfaces.size() : 0;
  uint32_t max_mtu = 0;
  if (network)
    for (const auto& n : network->interfaces) max_mtu = std::max(max_mtu, n.mtu);
  v["NETWORK_INTERFACE_COUNT"] = std::to_string(count);
  v["NETWORK_MAX_MTU"] = std::to_string(max_mtu);
  v["NETWORK_NOTE"] = network ? "the \"network\" section of the board file"
                              : "none (the board file has no \"network\" section)";
  v["NETWORK"] = RenderRustItem(
      "pub static NETWORK: NetworkConfig = ",
      network ? NetworkExpr(s.board, *network) : RustExpr::Atom("NetworkConfig::NONE"));
}

// The catalog's fact `key` of board.trace.rust, or `nested_key` of that object ("" if absent).
std::string TraceFact(const config::HardwareBoard& board, const char* key,
                      const char* nested_key = nullptr) {
  const auto& trace = board.trace;
  if (!trace.is_object() || !trace.contains("rust") || !trace["rust"].contains(key)) return {};
  const auto& fact = trace["rust"][key];
  if (nested_key == nullptr) return fact.get<std::string>();
  return fact.is_object() ? fact.value(nested_key, std::string()) : std::string();
}

// The first "network" interface of `kind` on the hardware that board.trace.rust.`key` (a shim's
// facts) names, with the tracer on; nullopt otherwise.
std::optional<size_t> ShimInterfaceIndex(const ConfigModuleSource& s, const char* key,
                                         config::NetworkKind kind) {
  std::string hardware = TraceFact(s.board, key, "hardware");
  if (!TraceEnabled(s) || hardware.empty() || !s.network) return std::nullopt;
  for (size_t i = 0; i < s.network->interfaces.size(); ++i) {
    const NetworkInterface& n = s.network->interfaces[i];
    const config::NetworkHardware* hw = HardwareFor(s.board, n);
    if (n.kind == kind && hw && hw->name == hardware) return i;
  }
  return std::nullopt;
}

// The number HELLO gives "network" interface `at`: how many interfaces before it HELLO
// announces (every Ethernet interface, and the 802.15.4 one the radio shim records).
size_t AnnouncedNumber(const ConfigModuleSource& s, size_t at) {
  std::optional<size_t> radio = ShimInterfaceIndex(s, "radio", config::NetworkKind::kIeee802154);
  size_t number = 0;
  for (size_t i = 0; i < at; ++i)
    if (s.network->interfaces[i].kind == config::NetworkKind::kEthernet || i == radio) ++number;
  return number;
}

RustExpr EventsExpr(const config::TraceConfig& t) {
  std::vector<RustExpr> items;
  for (auto e : t.events) {
    std::string name = config::Name(e);
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    items.push_back(RustExpr::Atom("EventSet::" + name));
  }
  return RustExpr::Array(std::move(items), false);
}

RustExpr EthernetTraceInterface(const NetworkInterface& n, size_t iface_id) {
  std::vector<RustExpr> mac;
  for (uint8_t b : n.mac.value_or(std::vector<uint8_t>(6, 0)))
    mac.push_back(RustExpr::Atom(ByteHex(b)));
  return RustExpr::Struct(
      "Interface", {{"iface_id", Number(iface_id)},
                    {"kind", RustExpr::Atom("tock_trace_tock::tock_trace::IfaceKind::Ethernet")},
                    {"linktype", Number(1)},
                    {"mtu", Number(n.mtu + 14)},
                    {"addr", RustExpr::Call("tock_trace_tock::tock_trace::LinkAddr::mac48",
                                            RustExpr::Array(std::move(mac), false))},
                    {"name", RustExpr::String(n.name)}});
}

// The interfaces HELLO announces, numbered in the order of "network": its Ethernet interfaces
// (the one on the catalog's trace.rust.ethernet, which the TraceEthernet shim records, stands for
// TRACE_ETHERNET_INTERFACE) and the one on the catalog's trace.rust.radio (TraceRadio), which
// stands for TRACE_RADIO_INTERFACE.
std::vector<RustExpr> TraceInterfaces(const ConfigModuleSource& s) {
  std::vector<RustExpr> out;
  if (!s.network) return out;
  std::optional<TracedRadioInterface> radio = TracedRadio(s);
  std::optional<TracedShimInterface> ethernet = TracedEthernet(s);
  for (const auto& n : s.network->interfaces) {
    if (ethernet && n.name == ethernet->name)
      out.push_back(RustExpr::Atom("TRACE_ETHERNET_INTERFACE"));
    else if (n.kind == config::NetworkKind::kEthernet)
      out.push_back(EthernetTraceInterface(n, out.size()));
    else if (radio && n.name == radio->name)
      out.push_back(RustExpr::Atom("TRACE_RADIO_INTERFACE"));
  }
  return out;
}

// A blank line and TRACE_ETHERNET_INTERFACE when an Ethernet interface is traced by the shim;
// with a final newline.
std::string TraceEthernetItems(const ConfigModuleSource& s) {
  std::optional<TracedShimInterface> ethernet = TracedEthernet(s);
  if (!ethernet) return {};
  for (const auto& n : s.network->interfaces)
    if (n.name == ethernet->name)
      return "\n/// Interface " + std::to_string(ethernet->iface_id) + " (" + CommentSafe(n.name) +
             "), recorded by the Ethernet shim: Ethernet II frames (LINKTYPE 1).\n" +
             RenderRustItem("pub const TRACE_ETHERNET_INTERFACE: Interface<'static> = ",
                            EthernetTraceInterface(n, ethernet->iface_id)) +
             "\n";
  return {};
}

// A blank line, TRACE_RADIO_EUI64 and TRACE_RADIO_INTERFACE (the core's ieee802154_interface),
// when a radio interface is traced; with a final newline.
std::string TraceRadioItems(const ConfigModuleSource& s) {
  std::optional<TracedRadioInterface> radio = TracedRadio(s);
  if (!radio) return {};
  std::vector<RustExpr> eui;
  for (uint8_t b : radio->eui64) eui.push_back(RustExpr::Atom(ByteHex(b)));
  std::string out =
      "\n/// The long address HELLO gives 802.15.4 interface " + CommentSafe(radio->name) +
      (radio->eui64_from_file ? " (its \"eui64\")" : " (no \"eui64\": zeros)") + ".\n" +
      RenderRustItem("pub const TRACE_RADIO_EUI64: [u8; 8] = ",
                     RustExpr::Array(std::move(eui), false)) +
      "\n/// Interface " + std::to_string(radio->iface_id) +
      ", recorded by the radio shim: 802.15.4 without FCS (LINKTYPE 230).\n";
  std::string head = "pub const TRACE_RADIO_INTERFACE: Interface<'static> =";
  std::string call = "tock_trace_tock::core_trace::ieee802154_interface";
  std::vector<std::string> args{std::to_string(radio->iface_id),
                                "\"" + EscapeRustString(radio->name) + "\"", "TRACE_RADIO_EUI64"};
  std::string one_line = "    " + call + "(" + args[0] + ", " + args[1] + ", " + args[2] + ");";
  if (one_line.size() <= kRustMaxWidth) return out + head + "\n" + one_line + "\n";
  out += head + "\n    " + call + "(\n";
  for (const auto& a : args) out += "        " + a + ",\n";
  return out + "    );\n";
}

void RequireTraceFacts(const ConfigModuleSource& s) {
  if (!TraceFact(s.board, "clock").empty()) return;
  ErrorContext ctx;
  ctx.file = s.path;
  ctx.json_pointer = "/trace/enabled";
  throw Error(ErrorCategory::kInvalidInput,
              "the tracer is on, but board " + s.board.name +
                  " has no tracer facts (board.trace.rust: chip, clock, platform, fault_policy, "
                  "uart_mux, clock_ref) in the catalog",
              ctx,
              "set \"enabled\": false, add the facts to the board, or wire the tracer by hand "
              "(docs/tracing-real-tock.md)");
}

std::string TraceOff(const ConfigModuleSource& s) {
  return std::string("/// Tracer: off (") +
         (s.trace ? "\"enabled\": false" : "the board file has no \"trace\" section") +
         ").\npub const TRACE_ENABLED: bool = false;";
}

std::string TraceItems(const ConfigModuleSource& s, std::string_view trace_template,
                       const std::string& trace_file) {
  RequireTraceFacts(s);
  const config::TraceConfig& t = *s.trace;
  std::vector<RustExpr> interfaces = TraceInterfaces(s);
  std::string count = std::to_string(interfaces.size());
  std::map<std::string, std::string> v;
  v["TRACE_LINK"] = config::Name(t.link) + (t.device.empty() ? "" : " " + CommentSafe(t.device));
  v["TRACE_BUFFER_BYTES"] = std::to_string(t.buffer_bytes);
  v["TRACE_TRANSMIT_BYTES"] = std::to_string(config::TraceTransmitBytes(t));
  v["TRACE_PROCESS_SLOTS"] = std::to_string(t.process_slots);
  v["TRACE_EVENT_LIST"] = RenderRustItem(
      "pub const TRACE_EVENT_LIST: [EventSet; " + std::to_string(t.events.size()) + "] = ",
      EventsExpr(t));
  std::string shims = TraceEthernetItems(s) + TraceRadioItems(s);
  v["TRACE_INTERFACES"] =
      RenderRustItem("pub const TRACE_INTERFACES: [Interface<'static>; " + count + "] = ",
                     RustExpr::Array(std::move(interfaces), false)) +
      (shims.empty() ? "" : "\n" + shims.substr(0, shims.size() - 1));
  v["TRACE_CONFIG"] = RenderRustItem(
      "pub const TRACE_CONFIG: TracerConfig = ",
      RustExpr::Struct("TracerConfig", {{"board", RustExpr::String(s.board.name)},
                                        {"kernel_version", RustExpr::String(t.kernel_version)},
                                        {"tick_hz", Number(0)},
                                        {"interfaces", RustExpr::Atom("&TRACE_INTERFACES")},
                                        {"events", RustExpr::Atom("TRACE_EVENTS")}}));
  for (const char* key : {"clock", "chip", "platform", "fault_policy"}) {
    std::string name = std::string("TRACE_") + key;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v[name] = TraceFact(s.board, key);
  }
  std::string text = ExpandTemplate(trace_template, v, trace_file);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

bool TraceEnabled(const ConfigModuleSource& source) {
  return source.trace && source.trace->enabled;
}

std::optional<TracedRadioInterface> TracedRadio(const ConfigModuleSource& source) {
  std::optional<size_t> at = ShimInterfaceIndex(source, "radio", config::NetworkKind::kIeee802154);
  if (!at) return std::nullopt;
  const NetworkInterface& n = source.network->interfaces[*at];
  return TracedRadioInterface{AnnouncedNumber(source, *at), n.name,
                              n.eui64.value_or(std::vector<uint8_t>(8, 0)), n.eui64.has_value()};
}

std::optional<TracedShimInterface> TracedEthernet(const ConfigModuleSource& source) {
  std::optional<size_t> at = ShimInterfaceIndex(source, "ethernet", config::NetworkKind::kEthernet);
  if (!at) return std::nullopt;
  return TracedShimInterface{AnnouncedNumber(source, *at), source.network->interfaces[*at].name};
}

ConfigModuleSource LoadConfigModuleSource(const std::string& path) {
  config::JsonDocument doc = config::JsonDocument::Load(path);
  return FromChecked(config::CheckBoardConfig(doc), doc, path);
}

ConfigModuleSource CatalogConfigModuleSource(const std::filesystem::path& data_dir,
                                             const std::string& board_name) {
  config::BoardSearch search = config::BoardSearch::From(data_dir, {}, {}, {});
  return ConfigModuleSourceFor(config::ResolveBoard({board_name, {}}, search), data_dir);
}

ConfigModuleSource ConfigModuleSourceFor(const config::ResolvedBoard& resolved,
                                         const std::filesystem::path& data_dir) {
  if (!resolved.from_catalog) {
    ConfigModuleSource source;
    source.board = resolved.board;
    source.ipc = resolved.ipc;
    source.network = resolved.network;
    source.trace = resolved.trace;
    source.path = resolved.file;
    source.file_name = std::filesystem::path(resolved.file).filename().string();
    source.sha256 = Sha256Hex(resolved.text);
    return source;
  }
  auto initial = config::BuildInitialConfig(resolved.json, resolved.board, data_dir / "templates");
  config::JsonDocument doc =
      config::JsonDocument::Parse(config::FormatJson(initial), resolved.board.name + ".json");
  ConfigModuleSource source = FromChecked(config::CheckBoardConfig(doc), doc, resolved.file);
  source.catalog_defaults = true;
  return source;
}

std::map<std::string, std::string> ConfigModuleValues(const ConfigModuleSource& source,
                                                      std::string_view trace_template,
                                                      const std::string& trace_file) {
  std::map<std::string, std::string> v;
  v["BOARD"] = CommentSafe(source.board.name);
  v["SOURCE_FILE"] = CommentSafe(source.file_name);
  v["SOURCE_KIND"] = source.catalog_defaults ? "catalog board with `tockctl config init` defaults"
                                             : "board JSON file";
  v["SOURCE_SHA256"] = source.sha256;
  v["SOURCE"] = RenderRustItem("pub const SOURCE: Source = ", SourceExpr(source));
  v["LEGACY_IPC"] = source.board.legacy_ipc.value_or(false) ? "true" : "false";
  AddIpcValues(v, source.ipc);
  AddNetworkValues(v, source);
  v["TRACE"] =
      TraceEnabled(source) ? TraceItems(source, trace_template, trace_file) : TraceOff(source);
  return v;
}

std::string RenderConfigModule(const ConfigModuleSource& source, std::string_view template_text,
                               const std::string& template_file, std::string_view trace_template,
                               const std::string& trace_file) {
  return ExpandTemplate(template_text, ConfigModuleValues(source, trace_template, trace_file),
                        template_file);
}

std::string RenderConfigModule(const ConfigModuleSource& source,
                               const std::filesystem::path& data_dir) {
  std::filesystem::path file = data_dir / kConfigModuleTemplate;
  if (!TraceEnabled(source)) return RenderConfigModule(source, ReadFile(file), file.string());
  std::filesystem::path trace = data_dir / kTraceModuleTemplate;
  return RenderConfigModule(source, ReadFile(file), file.string(), ReadFile(trace), trace.string());
}

bool WriteIfChanged(const std::filesystem::path& path, std::string_view content) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) &&
      std::filesystem::file_size(path, ec) == content.size() && ReadFile(path) == content)
    return false;
  WriteFileAtomic(path, content);
  return true;
}

}  // namespace tockctl::kernel
