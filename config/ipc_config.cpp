#include "config/ipc_config.h"

#include <algorithm>
#include <array>

namespace tockctl::config {
namespace {

constexpr std::array<const char*, 3> kInterfaceNames{"message_passing", "shared_memory", "rpc"};
constexpr std::array<const char*, 3> kBackendNames{"copy", "shared", "auto"};
constexpr std::array<const char*, 2> kDiscoveryNames{"string_name", "package_name"};
constexpr std::array<const char*, 2> kServerFaultNames{"notify", "reconnect"};
constexpr std::array<const char*, 2> kServerRestartNames{"restart", "stop"};
constexpr std::array<const char*, 2> kClientFaultNames{"release", "notify_server"};
constexpr std::array<const char*, 3> kAuthNames{"none", "package_name", "app_id"};

std::string Item(const std::string& pointer, size_t i) { return pointer + "/" + std::to_string(i); }

IpcService ReadService(const OrderedJson& json, const std::string& pointer,
                       ValidationReport& report) {
  IpcService s;
  ObjectReader r(json, pointer, report);
  s.name = r.Name("name", "a service name", true).value_or("");
  s.server = r.Name("server", "the server app's TBF package name", true).value_or("");
  ReadEnum(r, "interface", kInterfaceNames, s.interface);
  if (const OrderedJson* v = r.Member("allowed_clients", false))
    s.allowed_clients = ReadAppSelection(*v, r.PointerOf("allowed_clients"), report);
  if (auto v = r.Unsigned("buffers_per_connection", 1, 32)) s.buffers_per_connection = *v;
  if (auto v = r.Unsigned("max_message_size", 1, 16u << 20)) s.max_message_size = *v;
  if (auto v = r.Unsigned("max_clients", 1, 64)) s.max_clients = *v;
  if (auto v = r.Bool("authenticate")) s.authenticate = *v;
  r.WarnUnknownKeys();
  return s;
}

IpcClient ReadClient(const OrderedJson& json, const std::string& pointer,
                     ValidationReport& report) {
  IpcClient c;
  ObjectReader r(json, pointer, report);
  c.app = r.Name("app", "the client app's TBF package name", true).value_or("");
  if (auto v = r.StringList("services", {}, true)) c.services = *v;
  if (auto v = r.Bool("reliable")) c.reliable = *v;
  r.WarnUnknownKeys();
  return c;
}

IpcFaultPolicy ReadFaultPolicy(const OrderedJson& json, const std::string& pointer,
                               ValidationReport& report) {
  IpcFaultPolicy p;
  ObjectReader r(json, pointer, report);
  ReadEnum(r, "server_fault", kServerFaultNames, p.server_fault);
  ReadEnum(r, "server_restart", kServerRestartNames, p.server_restart);
  ReadEnum(r, "client_fault", kClientFaultNames, p.client_fault);
  if (auto v = r.Unsigned("reliable_timeout_ms", 1, 600000)) p.reliable_timeout_ms = *v;
  r.WarnUnknownKeys();
  return p;
}

// Reads "interfaces"; returns false (leaving it empty) when it is absent or has a bad entry.
bool ReadInterfaces(ObjectReader& r, IpcConfig& c) {
  auto list = r.StringList("interfaces", NameList(kInterfaceNames));
  if (!list) return false;
  for (const auto& name : *list) {
    auto interface = EnumFromName<IpcInterface>(kInterfaceNames, name);
    if (!interface) {
      c.interfaces.clear();
      return false;
    }
    c.interfaces.push_back(*interface);
  }
  return true;
}

// The interfaces the services use, in the canonical order.
void DeriveInterfaces(IpcConfig& c) {
  for (size_t i = 0; i < kInterfaceNames.size(); ++i) {
    auto interface = static_cast<IpcInterface>(i);
    for (const auto& s : c.services)
      if (s.interface == interface && !c.Offers(interface)) c.interfaces.push_back(interface);
  }
}

template <typename T, typename ReadFn>
void ReadItems(ObjectReader& r, const std::string& key, std::vector<T>& out, ReadFn read) {
  const OrderedJson* array = r.Array(key);
  if (array == nullptr) return;
  for (size_t i = 0; i < array->size(); ++i)
    out.push_back(read((*array)[i], Item(r.PointerOf(key), i), r.report()));
}

}  // namespace

bool AppSelection::Includes(const std::string& app) const {
  return all || std::find(apps.begin(), apps.end(), app) != apps.end();
}

const IpcService* IpcConfig::FindService(const std::string& name) const {
  for (const auto& s : services)
    if (s.name == name) return &s;
  return nullptr;
}

bool IpcConfig::Offers(IpcInterface interface) const {
  return std::find(interfaces.begin(), interfaces.end(), interface) != interfaces.end();
}

const char* Name(IpcInterface v) { return kInterfaceNames[static_cast<size_t>(v)]; }
const char* Name(IpcBackend v) { return kBackendNames[static_cast<size_t>(v)]; }
const char* Name(IpcDiscovery v) { return kDiscoveryNames[static_cast<size_t>(v)]; }
const char* Name(ServerFaultAction v) { return kServerFaultNames[static_cast<size_t>(v)]; }
const char* Name(ServerRestart v) { return kServerRestartNames[static_cast<size_t>(v)]; }
const char* Name(ClientFaultAction v) { return kClientFaultNames[static_cast<size_t>(v)]; }
const char* Name(IpcAuthMethod v) { return kAuthNames[static_cast<size_t>(v)]; }

AppSelection ReadAppSelection(const OrderedJson& json, const std::string& pointer,
                              ValidationReport& report) {
  AppSelection sel;
  if (json.is_string() && json.get<std::string>() == "*") return sel;
  if (!json.is_array()) {
    report.Error(pointer, "expected \"*\" or a list of app names, found " + json.dump(),
                 "\"*\" (every app) or a list such as [\"app1\", \"app2\"]");
    return sel;
  }
  sel.all = false;
  for (size_t i = 0; i < json.size(); ++i) {
    if (!json[i].is_string() || json[i].get<std::string>().empty()) {
      report.Error(Item(pointer, i), "expected an app name, found " + json[i].dump(),
                   "a non-empty app (TBF package) name");
      sel.apps.emplace_back();  // keeps the indexes of later entries
      continue;
    }
    sel.apps.push_back(json[i].get<std::string>());
  }
  return sel;
}

IpcConfig ReadIpcConfig(const OrderedJson& json, const std::string& pointer,
                        ValidationReport& report) {
  IpcConfig c;
  ObjectReader r(json, pointer, report);
  c.interfaces_listed = ReadInterfaces(r, c);
  if (auto name = r.Enum("backend", NameList(kBackendNames)))
    c.backend = *EnumFromName<IpcBackend>(kBackendNames, *name);
  else
    c.backend_known = !r.Has("backend");
  if (auto v = r.Unsigned("copy_threshold", 0, 65536)) c.copy_threshold = *v;
  ReadEnum(r, "discovery", kDiscoveryNames, c.discovery);
  ReadItems(r, "services", c.services, ReadService);
  ReadItems(r, "clients", c.clients, ReadClient);
  if (const OrderedJson* v = r.Object("fault_policy"))
    c.fault_policy = ReadFaultPolicy(*v, r.PointerOf("fault_policy"), report);
  ReadEnum(r, "authentication", kAuthNames, c.authentication);
  r.WarnUnknownKeys();
  if (!c.interfaces_listed) DeriveInterfaces(c);
  return c;
}

void from_json(const OrderedJson& json, IpcConfig& config) {
  ValidationReport report;
  config = ReadIpcConfig(json, "/ipc", report);
  ThrowFirstError(report);
}

void to_json(OrderedJson& json, const AppSelection& selection) {
  if (selection.all) {
    json = "*";
    return;
  }
  json = OrderedJson::array();
  for (const auto& app : selection.apps) json.push_back(app);
}

namespace {

OrderedJson ServiceJson(const IpcService& s) {
  OrderedJson clients;
  to_json(clients, s.allowed_clients);
  return OrderedJson{{"name", s.name},
                     {"server", s.server},
                     {"interface", Name(s.interface)},
                     {"allowed_clients", clients},
                     {"buffers_per_connection", s.buffers_per_connection},
                     {"max_message_size", s.max_message_size},
                     {"max_clients", s.max_clients},
                     {"authenticate", s.authenticate}};
}

OrderedJson FaultPolicyJson(const IpcFaultPolicy& p) {
  return OrderedJson{{"server_fault", Name(p.server_fault)},
                     {"server_restart", Name(p.server_restart)},
                     {"client_fault", Name(p.client_fault)},
                     {"reliable_timeout_ms", p.reliable_timeout_ms}};
}

}  // namespace

void to_json(OrderedJson& json, const IpcConfig& c) {
  OrderedJson interfaces = OrderedJson::array();
  for (auto i : c.interfaces) interfaces.push_back(Name(i));
  OrderedJson services = OrderedJson::array();
  for (const auto& s : c.services) services.push_back(ServiceJson(s));
  OrderedJson clients = OrderedJson::array();
  for (const auto& cl : c.clients)
    clients.push_back({{"app", cl.app}, {"services", cl.services}, {"reliable", cl.reliable}});
  json = OrderedJson{{"interfaces", interfaces},
                     {"backend", Name(c.backend)},
                     {"copy_threshold", c.copy_threshold},
                     {"discovery", Name(c.discovery)},
                     {"services", services},
                     {"clients", clients},
                     {"fault_policy", FaultPolicyJson(c.fault_policy)},
                     {"authentication", Name(c.authentication)}};
}

}  // namespace tockctl::config
