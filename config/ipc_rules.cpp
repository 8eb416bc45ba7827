#include "config/ipc_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "config/object_reader.h"

namespace tockctl::config {

bool CanShareMemory(const Protection& protection) {
  return protection.kind != ProtectionKind::kArmv6mMpu &&
         protection.kind != ProtectionKind::kArmv7mMpu && !protection.power_of_two;
}

IpcBackend EffectiveBackend(IpcBackend backend, const Protection& protection) {
  if (backend != IpcBackend::kAuto) return backend;
  return CanShareMemory(protection) ? IpcBackend::kShared : IpcBackend::kCopy;
}

uint32_t FreeProcessRegions(const Protection& protection) {
  return protection.app_regions > protection.process_reserved
             ? protection.app_regions - protection.process_reserved
             : 0;
}

namespace {

std::string QuotedList(const std::vector<std::string>& words) {
  std::vector<std::string> quoted;
  quoted.reserve(words.size());
  for (const auto& w : words) quoted.push_back(Quoted(w));
  return JoinWords(quoted);
}

// Checks one IpcConfig; each method is one rule (or a small family of rules).
class IpcRuleChecker {
 public:
  IpcRuleChecker(const IpcConfig& ipc, std::string pointer, const HardwareBoard* board,
                 ValidationReport& report)
      : ipc_(ipc), ptr_(std::move(pointer)), board_(board), report_(report) {}

  void Run() {
    CheckInterfaceList();
    if (board_ != nullptr) CheckBackend();
    CheckServiceNames();
    CheckServiceInterfaces();
    CheckAllowedClients();
    CheckClients();
    CheckFaultPolicy();
    if (board_ != nullptr) {
      CheckSharedBuffers();
      CheckMemoryBudget();
    }
  }

 private:
  std::string Service(size_t i) const { return ptr_ + "/services/" + std::to_string(i); }
  std::string Client(size_t i) const { return ptr_ + "/clients/" + std::to_string(i); }

  std::string ProtectionPhrase() const {
    return board_->name + "'s " + ProtectionKindName(board_->protection.kind);
  }

  void CheckInterfaceList() {
    if (!ipc_.interfaces_listed) return;
    std::set<IpcInterface> seen;
    for (size_t i = 0; i < ipc_.interfaces.size(); ++i) {
      if (seen.insert(ipc_.interfaces[i]).second) continue;
      report_.Error(ptr_ + "/interfaces/" + std::to_string(i),
                    "interface \"" + std::string(Name(ipc_.interfaces[i])) + "\" is listed twice",
                    "each of message_passing, shared_memory, rpc at most once");
    }
  }

  void CheckBackend() {
    const Protection& p = board_->protection;
    if (CanShareMemory(p)) return CheckCopyOnlyInterfaces();
    std::string why = ProtectionPhrase() +
                      " regions must be power-of-two sized and aligned to their size, so IPC "
                      "buffers cannot be shared between processes";
    if (ipc_.backend == IpcBackend::kShared)
      report_.Error(ptr_ + "/backend", "backend \"shared\" cannot work: " + why,
                    "copy, auto (falls back to copy on this board)");
    if (ipc_.backend == IpcBackend::kAuto && ipc_.backend_known)
      report_.Warning(ptr_ + "/backend", "backend \"auto\" falls back to copy: " + why,
                      "copy (to say so explicitly)");
    for (const std::string& at : SharedMemoryPointers())
      report_.Error(at, "interface \"shared_memory\" cannot work: " + why, "message_passing, rpc");
  }

  void CheckCopyOnlyInterfaces() {
    if (ipc_.backend != IpcBackend::kCopy) return;
    for (const std::string& p : SharedMemoryPointers())
      report_.Error(p,
                    "interface \"shared_memory\" needs a back-end that shares memory, but "
                    "backend is \"copy\"",
                    "backend \"shared\" or \"auto\", or drop shared_memory");
  }

  // Where shared_memory is asked for: in the listed interfaces, else by the services using it.
  std::vector<std::string> SharedMemoryPointers() const {
    std::vector<std::string> out;
    if (ipc_.interfaces_listed) {
      for (size_t i = 0; i < ipc_.interfaces.size(); ++i)
        if (ipc_.interfaces[i] == IpcInterface::kSharedMemory)
          out.push_back(ptr_ + "/interfaces/" + std::to_string(i));
      return out;
    }
    for (size_t i = 0; i < ipc_.services.size(); ++i)
      if (ipc_.services[i].interface == IpcInterface::kSharedMemory)
        out.push_back(Service(i) + "/interface");
    return out;
  }

  void CheckServiceNames() {
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      if (s.name.empty()) continue;
      CheckServiceName(i, s);
      auto [it, inserted] = first.emplace(s.name, i);
      if (!inserted)
        report_.Error(
            Service(i) + "/name",
            "service name " + Quoted(s.name) + " is already used by " + Service(it->second),
            "a name no other service uses");
    }
  }

  void CheckServiceName(size_t i, const IpcService& s) {
    if (ipc_.discovery == IpcDiscovery::kPackageName) {
      if (!s.server.empty() && s.name != s.server)
        report_.Error(Service(i) + "/name",
                      "with discovery \"package_name\" clients find a service by its server's "
                      "package name, but name " +
                          Quoted(s.name) + " differs from server " + Quoted(s.server),
                      Quoted(s.server) + ", or discovery \"string_name\"");
      return;
    }
    if (s.name.size() > kMaxServiceNameBytes)
      report_.Error(
          Service(i) + "/name",
          "service name " + Quoted(s.name) + " is " + std::to_string(s.name.size()) + " bytes long",
          "at most 20 bytes (the string-name registry stores fixed 20-byte names)");
  }

  void CheckServiceInterfaces() {
    if (!ipc_.interfaces_listed) return;  // derived from the services: nothing to compare
    std::vector<std::string> offered;
    for (auto i : ipc_.interfaces)
      if (std::find(offered.begin(), offered.end(), Name(i)) == offered.end())
        offered.emplace_back(Name(i));
    std::set<IpcInterface> used;
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      used.insert(s.interface);
      if (ipc_.Offers(s.interface)) continue;
      report_.Error(Service(i) + "/interface",
                    "service " + Quoted(s.name) + " uses interface " + Quoted(Name(s.interface)) +
                        ", which " + ptr_ + "/interfaces does not offer",
                    offered.empty() ? "add it to " + ptr_ + "/interfaces" : JoinWords(offered));
    }
    if (ipc_.services.empty()) return;
    for (size_t i = 0; i < ipc_.interfaces.size(); ++i) {
      if (!used.insert(ipc_.interfaces[i]).second) continue;  // used, or warned about already
      std::string name = Name(ipc_.interfaces[i]);
      report_.Warning(ptr_ + "/interfaces/" + std::to_string(i),
                      "interface " + Quoted(name) + " is offered but no service uses it",
                      "remove it, or add a service with \"interface\": " + Quoted(name));
    }
  }

  std::vector<std::string> KnownApps() const {
    std::vector<std::string> apps;
    auto add = [&](const std::string& a) {
      if (!a.empty() && std::find(apps.begin(), apps.end(), a) == apps.end()) apps.push_back(a);
    };
    for (const auto& s : ipc_.services) add(s.server);
    for (const auto& c : ipc_.clients) add(c.app);
    return apps;
  }

  void CheckAllowedClients() {
    std::vector<std::string> known = KnownApps();
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      if (s.authenticate && ipc_.authentication == IpcAuthMethod::kNone)
        report_.Error(Service(i) + "/authenticate",
                      "service " + Quoted(s.name) + " asks for authenticated clients, but " + ptr_ +
                          "/authentication is \"none\"",
                      "authentication \"package_name\" or \"app_id\", or authenticate false");
      if (s.authenticate && s.allowed_clients.all)
        report_.Warning(Service(i) + "/allowed_clients",
                        "authenticating clients of " + Quoted(s.name) +
                            " is moot while allowed_clients is \"*\"",
                        "a list of the apps that may connect");
      CheckAllowedList(i, s, known);
    }
  }

  void CheckAllowedList(size_t i, const IpcService& s, const std::vector<std::string>& known) {
    std::set<std::string> seen;
    for (size_t j = 0; j < s.allowed_clients.apps.size(); ++j) {
      const std::string& app = s.allowed_clients.apps[j];
      std::string p = Service(i) + "/allowed_clients/" + std::to_string(j);
      if (app.empty()) continue;  // not a name; reported when read
      if (!seen.insert(app).second)
        report_.Warning(p, "app " + Quoted(app) + " is listed twice", "each app once");
      else if (std::find(known.begin(), known.end(), app) == known.end())
        report_.Error(
            p, "unknown app " + Quoted(app) + ": it is neither a server nor a client in " + ptr_,
            known.empty() ? "an app named in " + ptr_ + "/clients" : QuotedList(known));
    }
  }

  void CheckClients() {
    std::map<std::string, size_t> first;
    std::map<std::string, uint32_t> connections;
    for (size_t i = 0; i < ipc_.clients.size(); ++i) {
      const IpcClient& c = ipc_.clients[i];
      if (c.app.empty()) continue;
      auto [it, inserted] = first.emplace(c.app, i);
      if (!inserted)
        report_.Error(Client(i) + "/app",
                      "app " + Quoted(c.app) + " already has an entry at " + Client(it->second),
                      "one entry per app listing all its services");
      for (size_t j = 0; j < c.services.size(); ++j) {
        if (!CheckConnection(i, j)) continue;
        ++connections[c.services[j]];
        clients_of_[c.services[j]].insert(c.app);
      }
      CheckReliable(i);
    }
    CheckMaxClients(connections);
  }

  // Returns true if client i's j-th service exists and admits it.
  bool CheckConnection(size_t i, size_t j) {
    const IpcClient& c = ipc_.clients[i];
    const std::string& name = c.services[j];
    std::string p = Client(i) + "/services/" + std::to_string(j);
    if (name.empty()) return false;  // not a name; reported when read
    const IpcService* s = ipc_.FindService(name);
    if (s == nullptr) {
      std::vector<std::string> names;
      for (const auto& svc : ipc_.services)
        if (!svc.name.empty()) names.push_back(svc.name);
      report_.Error(
          p, "unknown service " + Quoted(name),
          names.empty() ? "a service defined in " + ptr_ + "/services" : QuotedList(names));
      return false;
    }
    auto k = static_cast<size_t>(s - ipc_.services.data());
    if (s->server == c.app) {
      report_.Error(p,
                    "app " + Quoted(c.app) + " is the server of " + Quoted(name) +
                        " and cannot be its own client",
                    "services of other apps");
      return false;
    }
    if (!s->allowed_clients.Includes(c.app)) {
      report_.Error(p, "service " + Quoted(name) + " does not allow app " + Quoted(c.app),
                    "add " + Quoted(c.app) + " to " + Service(k) + "/allowed_clients");
      return false;
    }
    return true;
  }

  void CheckReliable(size_t i) {
    const IpcClient& c = ipc_.clients[i];
    if (!c.reliable || ipc_.fault_policy.server_restart != ServerRestart::kStop) return;
    report_.Error(Client(i) + "/reliable",
                  "app " + Quoted(c.app) + " asks for reliable delivery, but " + ptr_ +
                      "/fault_policy/server_restart is \"stop\": a faulted server never comes "
                      "back to take the held requests",
                  "server_restart \"restart\", or reliable false");
  }

  void CheckMaxClients(const std::map<std::string, uint32_t>& connections) {
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      auto it = connections.find(s.name);
      if (it == connections.end() || it->second <= s.max_clients) continue;
      if (ipc_.FindService(s.name) != &s) continue;  // duplicate name, reported already
      report_.Error(Service(i) + "/max_clients",
                    std::to_string(it->second) + " clients in " + ptr_ + "/clients connect to " +
                        Quoted(s.name) + ", but max_clients is " + std::to_string(s.max_clients),
                    "at least " + std::to_string(it->second));
    }
  }

  void CheckFaultPolicy() {
    const IpcFaultPolicy& f = ipc_.fault_policy;
    if (f.server_fault == ServerFaultAction::kReconnect && f.server_restart == ServerRestart::kStop)
      report_.Error(ptr_ + "/fault_policy/server_fault",
                    "\"reconnect\" waits for the server to restart, but server_restart is "
                    "\"stop\"",
                    "notify, or server_restart \"restart\"");
  }

  // True for a service whose required keys were read (the others are reported already).
  static bool Complete(const IpcService& s) { return !s.name.empty() && !s.server.empty(); }

  // True if the service's buffers are mapped into both processes (each buffer takes a region).
  bool SharesBuffers(const IpcService& s) const {
    if (!Complete(s) || !CanShareMemory(board_->protection)) return false;
    if (s.interface == IpcInterface::kSharedMemory || ipc_.backend == IpcBackend::kShared)
      return true;
    return ipc_.backend == IpcBackend::kAuto && s.max_message_size > ipc_.copy_threshold;
  }

  std::string RegionsPhrase(uint32_t free) const {
    const Protection& p = board_->protection;
    return ProtectionPhrase() + " leaves " + std::to_string(free) + " region" +
           (free == 1 ? "" : "s") + " per process (" + std::to_string(p.app_regions) +
           " app regions - " + std::to_string(p.process_reserved) +
           " for the process's own flash and RAM)";
  }

  void CheckSharedBuffers() {
    uint32_t free = FreeProcessRegions(board_->protection);
    std::set<std::string> too_many;
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      if (!SharesBuffers(s) || s.buffers_per_connection <= free) continue;
      too_many.insert(s.name);
      std::string n = std::to_string(s.buffers_per_connection);
      std::string message = n;
      message += " shared buffers per connection need " + n;
      message += " protection regions in each process, but " + RegionsPhrase(free);
      report_.Error(
          Service(i) + "/buffers_per_connection", message,
          free == 0 ? "backend \"copy\"" : "1.." + std::to_string(free) + ", or backend \"copy\"");
    }
    for (size_t i = 0; i < ipc_.clients.size(); ++i) CheckClientRegions(i, free, too_many);
    CheckServerRegions(free, too_many);
  }

  // The server side of every connection maps the connection's buffers too: a server with two
  // clients of a service with 2 shared buffers per connection needs 4 regions.
  void CheckServerRegions(uint32_t free, const std::set<std::string>& too_many) {
    std::map<std::string, uint32_t> total;         // server app -> regions
    std::map<std::string, std::string> breakdown;  // server app -> "2 per connection x ..."
    std::map<std::string, size_t> first;           // server app -> its first service
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      auto it = clients_of_.find(s.name);
      if (ipc_.FindService(s.name) != &s || too_many.count(s.name) || !SharesBuffers(s) ||
          it == clients_of_.end())
        continue;
      auto clients = static_cast<uint32_t>(it->second.size());
      first.emplace(s.server, i);
      total[s.server] += s.buffers_per_connection * clients;
      std::string& text = breakdown[s.server];
      text += (text.empty() ? "" : " + ") + std::to_string(s.buffers_per_connection) +
              " per connection x " + std::to_string(clients) + " client" +
              (clients == 1 ? "" : "s") + " of " + Quoted(s.name);
    }
    for (const auto& [server, regions] : total) {
      if (regions <= free) continue;
      report_.Error(Service(first[server]) + "/server",
                    "server app " + Quoted(server) + " maps " + std::to_string(regions) +
                        " shared buffers (" + breakdown[server] + "), but " + RegionsPhrase(free),
                    "at most " + std::to_string(free) +
                        " shared buffers over all its connections: fewer buffers_per_connection "
                        "or clients, or backend \"copy\"");
    }
  }

  void CheckClientRegions(size_t i, uint32_t free, const std::set<std::string>& too_many) {
    const IpcClient& c = ipc_.clients[i];
    uint32_t total = 0;
    std::set<std::string> counted;
    for (const auto& name : c.services) {
      const IpcService* s = ipc_.FindService(name);
      if (s == nullptr || too_many.count(name) || !counted.insert(name).second) continue;
      if (SharesBuffers(*s)) total += s->buffers_per_connection;
    }
    if (total <= free) return;
    report_.Error(Client(i) + "/services",
                  "app " + Quoted(c.app) + " connects to services with " + std::to_string(total) +
                      " shared buffers in total, but " + RegionsPhrase(free),
                  "at most " + std::to_string(free) + " shared buffers across its services");
  }

  // Bytes one buffer of `s` takes: a shared buffer is a protection region, so it is rounded up
  // to the unit's granule (min_region_size: a 4 KiB page on x86); a copied one is not.
  uint64_t BufferBytes(const IpcService& s) const {
    uint64_t granule = std::max<uint64_t>(1, board_->protection.min_region_size);
    if (!SharesBuffers(s)) return s.max_message_size;
    return (s.max_message_size + granule - 1) / granule * granule;
  }

  void CheckMemoryBudget() {
    uint64_t ram = board_->memory.ram.length;
    uint64_t total = 0;
    bool rounded = false;
    for (size_t i = 0; i < ipc_.services.size(); ++i) {
      const IpcService& s = ipc_.services[i];
      if (!Complete(s)) continue;
      if (s.max_message_size > ram) {
        report_.Error(Service(i) + "/max_message_size",
                      "a " + std::to_string(s.max_message_size) + "-byte message cannot fit in " +
                          board_->name + "'s " + std::to_string(ram) + " bytes of RAM",
                      "less than " + std::to_string(ram) + " bytes");
        continue;
      }
      total += uint64_t{s.buffers_per_connection} * BufferBytes(s) * s.max_clients;
      rounded |= BufferBytes(s) != s.max_message_size;
    }
    std::string what =
        "IPC buffers (buffers_per_connection x max_message_size x max_clients, summed over "
        "services" +
        (rounded ? "; each shared buffer a whole " +
                       std::to_string(board_->protection.min_region_size) + "-byte region"
                 : std::string()) +
        ") need " + std::to_string(total) + " bytes";
    if (total > ram)
      report_.Error(
          ptr_ + "/services",
          what + ", more than " + board_->name + "'s " + std::to_string(ram) + " bytes of RAM",
          "at most " + std::to_string(ram) + " bytes in total");
    else if (total > ram / 2)
      report_.Warning(ptr_ + "/services",
                      what + ", more than half of " + board_->name + "'s " + std::to_string(ram) +
                          " bytes of RAM",
                      "at most " + std::to_string(ram / 2) +
                          " bytes, to leave room for the "
                          "kernel and processes");
  }

  const IpcConfig& ipc_;
  std::string ptr_;
  const HardwareBoard* board_;
  ValidationReport& report_;
  /// Service name -> the client apps that connect to it (and are allowed to).
  std::map<std::string, std::set<std::string>> clients_of_;
};

}  // namespace

void CheckIpcRules(const IpcConfig& ipc, const std::string& pointer, const HardwareBoard* board,
                   ValidationReport& report) {
  IpcRuleChecker(ipc, pointer, board, report).Run();
}

}  // namespace tockctl::config
