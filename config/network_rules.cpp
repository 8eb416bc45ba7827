#include "config/network_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "config/hardware_address.h"
#include "config/object_reader.h"

namespace tockctl::config {

std::vector<NetworkStack> StacksFor(NetworkKind kind) {
  using S = NetworkStack;
  switch (kind) {
    case NetworkKind::kEthernet:
    case NetworkKind::kWifi:
      return {S::kRaw, S::kLwip, S::kSmoltcp};
    case NetworkKind::kIeee802154:
      return {S::kRaw, S::kSmoltcp, S::kOpenthread, S::kTockUdp};
    case NetworkKind::kCan:
    case NetworkKind::kBle:
      return {S::kRaw};
  }
  return {};
}

std::vector<StackPlacement> PlacementsFor(NetworkStack stack) {
  using P = StackPlacement;
  switch (stack) {
    case NetworkStack::kRaw:
      return {P::kUserspace};
    case NetworkStack::kLwip:
    case NetworkStack::kOpenthread:
      return {P::kUserspace, P::kEncapsulated};
    case NetworkStack::kSmoltcp:
      return {P::kKernel, P::kUserspace};
    case NetworkStack::kTockUdp:
      return {P::kKernel};
  }
  return {};
}

namespace {

template <typename E>
std::string NamesOf(const std::vector<E>& values) {
  std::vector<std::string> names;
  names.reserve(values.size());
  for (E v : values) names.push_back(Name(v));
  return JoinWords(names);
}

template <typename E>
bool Contains(const std::vector<E>& values, E v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Why a stack cannot run over a kind, in the words of Tock's facts.
std::string StackKindReason(NetworkStack stack, NetworkKind kind) {
  if (kind == NetworkKind::kCan)
    return "an IP stack cannot run on CAN: its frames carry at most 8 data bytes (64 with CAN "
           "FD) and have no IP binding";
  if (kind == NetworkKind::kBle)
    return "BLE in Tock is advertising only (BleAdvertising, 0x30000): there is no IP path";
  if (stack == NetworkStack::kOpenthread) return "OpenThread runs only over IEEE 802.15.4";
  if (stack == NetworkStack::kTockUdp)
    return "tock-udp is Tock's UDP over 6LoWPAN, which runs only over IEEE 802.15.4";
  if (stack == NetworkStack::kLwip)
    return "lwIP needs a layer-2 interface with Ethernet framing; 802.15.4 needs 6LoWPAN";
  return std::string("stack \"") + Name(stack) + "\" cannot run over " + Name(kind);
}

std::string PlacementReason(NetworkStack stack, StackPlacement placement) {
  switch (stack) {
    case NetworkStack::kRaw:
      return "with stack \"raw\" apps use the driver directly, so there is no stack to place in "
             "the kernel";
    case NetworkStack::kLwip:
      return "lwIP is C: in the kernel it runs only as an encapsulated function";
    case NetworkStack::kOpenthread:
      return "OpenThread is a C library (libtock-c libopenthread): in the kernel it runs only as "
             "an encapsulated function";
    case NetworkStack::kSmoltcp:
      return "encapsulated placement runs a C stack inside the kernel; smoltcp is Rust";
    case NetworkStack::kTockUdp:
      return std::string("tock-udp is a kernel capsule (Udp, 0x30002) and cannot run ") +
             (placement == StackPlacement::kUserspace ? "in userspace" : "encapsulated");
  }
  return "";
}

std::string MtuReason(NetworkKind kind, bool can_fd) {
  switch (kind) {
    case NetworkKind::kEthernet:
      return "68..1500 (the EthernetTap driver carries frames of at most 1518 bytes)";
    case NetworkKind::kIeee802154:
      return "9..127 (an IEEE 802.15.4 frame is at most 127 bytes)";
    case NetworkKind::kWifi:
      return "68..1500";
    case NetworkKind::kCan:
      return can_fd ? "1..64 (CAN FD)"
                    : "1..8 (a classic CAN frame carries at most 8 data bytes; set \"can_fd\": "
                      "true for up to 64)";
    case NetworkKind::kBle:
      return "1..31 (a BLE advertising payload is at most 31 bytes)";
  }
  return "";
}

class NetworkRuleChecker {
 public:
  NetworkRuleChecker(const NetworkConfig& net, std::string pointer, const IpcConfig* ipc,
                     const HardwareBoard* board, ValidationReport& report)
      : net_(net), ptr_(std::move(pointer)), ipc_(ipc), board_(board), report_(report) {}

  void Run() {
    CheckNames();
    CheckAddressesUnique();
    for (size_t i = 0; i < net_.interfaces.size(); ++i) {
      const NetworkInterface& n = net_.interfaces[i];
      if (!n.kind_known) continue;  // reported when read; every rule below depends on the kind
      CheckKindFields(i, n);
      CheckAddress(i, n);
      CheckStack(i, n);
      CheckApps(i, n);
      if (board_ != nullptr) CheckHardware(i, n);
    }
  }

 private:
  std::string Iface(size_t i) const { return ptr_ + "/interfaces/" + std::to_string(i); }

  // 1 to 15 ASCII letters, digits, '_', '.' or '-', starting with a letter (as Linux interface
  // names).
  static bool ValidName(const std::string& name) {
    auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    auto allowed = [&](char c) {
      return letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    };
    return !name.empty() && name.size() <= 15 && letter(name[0]) &&
           std::all_of(name.begin(), name.end(), allowed);
  }

  void CheckNames() {
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < net_.interfaces.size(); ++i) {
      const std::string& name = net_.interfaces[i].name;
      if (name.empty()) continue;
      if (!ValidName(name))
        report_.Error(Iface(i) + "/name", "interface name " + Quoted(name) + " is not valid",
                      "1 to 15 letters, digits, '_', '.' or '-', starting with a letter");
      auto [it, inserted] = first.emplace(name, i);
      if (!inserted)
        report_.Error(Iface(i) + "/name",
                      "interface name " + Quoted(name) + " is already used by " + Iface(it->second),
                      "a name no other interface uses");
    }
  }

  void CheckAddressesUnique() {
    std::map<std::vector<uint8_t>, size_t> macs, euis;
    for (size_t i = 0; i < net_.interfaces.size(); ++i) {
      const NetworkInterface& n = net_.interfaces[i];
      if (n.mac) CheckUnique(macs, *n.mac, i, "mac", "MAC");
      if (n.eui64) CheckUnique(euis, *n.eui64, i, "eui64", "EUI-64");
    }
  }

  void CheckUnique(std::map<std::vector<uint8_t>, size_t>& seen, const std::vector<uint8_t>& a,
                   size_t i, const std::string& key, const std::string& label) {
    auto [it, inserted] = seen.emplace(a, i);
    if (inserted) return;
    report_.Error(
        Iface(i) + "/" + key,
        label + " " + FormatHardwareAddress(a) + " is already used by " + Iface(it->second),
        "an address no other interface uses");
  }

  void CheckKindFields(size_t i, const NetworkInterface& n) {
    MtuLimits m = MtuLimitsFor(n.kind, n.can_fd);
    if (n.mtu < m.min || n.mtu > m.max)
      report_.Error(
          Iface(i) + "/mtu",
          "MTU " + std::to_string(n.mtu) + " is outside what " + Name(n.kind) + " carries",
          MtuReason(n.kind, n.can_fd));
    if (n.can_fd && n.kind != NetworkKind::kCan) NotForKind(i, n, "can_fd", "can");
    if (n.channel && n.kind != NetworkKind::kIeee802154) NotForKind(i, n, "channel", "ieee802154");
    if (n.pan_id && n.kind != NetworkKind::kIeee802154) NotForKind(i, n, "pan_id", "ieee802154");
  }

  void NotForKind(size_t i, const NetworkInterface& n, const std::string& key,
                  const std::string& kind) {
    report_.Error(Iface(i) + "/" + key,
                  Quoted(key) + " applies only to " + kind + " interfaces, not " + Name(n.kind),
                  "remove it");
  }

  void CheckAddress(size_t i, const NetworkInterface& n) {
    bool wants_mac = n.kind == NetworkKind::kEthernet || n.kind == NetworkKind::kWifi ||
                     n.kind == NetworkKind::kBle;
    if (n.kind == NetworkKind::kCan) {
      if (n.mac) NoAddress(i, "mac");
      if (n.eui64) NoAddress(i, "eui64");
      return;
    }
    if (n.mac && !wants_mac)
      report_.Error(Iface(i) + "/mac", "an ieee802154 interface has an EUI-64, not a MAC",
                    "\"eui64\": 8 hex byte pairs separated by colons");
    if (n.eui64 && wants_mac)
      report_.Error(Iface(i) + "/eui64",
                    std::string("a ") + Name(n.kind) + " interface has a 6-byte MAC, not an EUI-64",
                    "\"mac\": 6 hex byte pairs separated by colons");
    if (n.mac && wants_mac) CheckMac(i, n, *n.mac);
    if (n.eui64 && !wants_mac) CheckEui64(i, n, *n.eui64);
  }

  void NoAddress(size_t i, const std::string& key) {
    report_.Error(Iface(i) + "/" + key, "a can interface has no link-layer address",
                  "remove " + Quoted(key));
  }

  void CheckMac(size_t i, const NetworkInterface& n, const std::vector<uint8_t>& mac) {
    std::string text = FormatHardwareAddress(mac);
    std::string example = FormatHardwareAddress(DeriveHardwareAddress(Seed(n), kMacBytes));
    bool zero = std::all_of(mac.begin(), mac.end(), [](uint8_t b) { return b == 0; });
    if (zero)
      report_.Error(Iface(i) + "/mac", "MAC " + text + " is all zeros",
                    "a unicast address such as " + example);
    else if (n.kind != NetworkKind::kBle && IsGroupAddress(mac))
      report_.Error(Iface(i) + "/mac",
                    "MAC " + text +
                        " has the multicast (group) bit set; an interface address "
                        "must be unicast",
                    "an even first byte, e.g. " + example);
  }

  // What `config init` derives this interface's address from, for suggestions.
  std::string Seed(const NetworkInterface& n) const {
    return (board_ != nullptr ? board_->name + "/" : "") + n.name;
  }

  void CheckEui64(size_t i, const NetworkInterface& n, const std::vector<uint8_t>& eui) {
    bool zero = std::all_of(eui.begin(), eui.end(), [](uint8_t b) { return b == 0; });
    bool ones = std::all_of(eui.begin(), eui.end(), [](uint8_t b) { return b == 0xff; });
    if (!zero && !ones) return;
    report_.Error(Iface(i) + "/eui64",
                  "EUI-64 " + FormatHardwareAddress(eui) + " is reserved (" +
                      (zero ? "all zeros" : "all ones") + ")",
                  "a unique address such as " +
                      FormatHardwareAddress(DeriveHardwareAddress(Seed(n), kEui64Bytes)));
  }

  void CheckStack(size_t i, const NetworkInterface& n) {
    if (!Contains(StacksFor(n.kind), n.stack)) {
      report_.Error(Iface(i) + "/stack", StackKindReason(n.stack, n.kind),
                    NamesOf(StacksFor(n.kind)));
      return;
    }
    if (!Contains(PlacementsFor(n.stack), n.placement))
      report_.Error(Iface(i) + "/placement", PlacementReason(n.stack, n.placement),
                    NamesOf(PlacementsFor(n.stack)));
    if (n.multiplexing == Multiplexing::kDemux && n.placement == StackPlacement::kUserspace)
      report_.Error(Iface(i) + "/multiplexing",
                    "demux needs the stack in the kernel to know which app owns a frame; with a "
                    "userspace stack the driver delivers every frame to every app",
                    "broadcast, or placement \"kernel\" or \"encapsulated\"");
    if (n.kind == NetworkKind::kWifi && n.stack != NetworkStack::kRaw)
      report_.Warning(Iface(i) + "/stack",
                      "Tock's WiFi driver (0x30008) exposes only control (scan, join, access "
                      "point); frames have no syscall path yet",
                      "raw, until a WiFi datapath lands");
  }

  void CheckApps(size_t i, const NetworkInterface& n) {
    std::set<std::string> seen;
    for (size_t j = 0; j < n.apps.apps.size(); ++j)
      if (!n.apps.apps[j].empty() && !seen.insert(n.apps.apps[j]).second)
        report_.Warning(Iface(i) + "/apps/" + std::to_string(j),
                        "app " + Quoted(n.apps.apps[j]) + " is listed twice", "each app once");
    if (!n.apps.all && n.apps.apps.empty())
      report_.Warning(Iface(i) + "/apps", "no app may use this interface",
                      "\"*\" or a list of app names");
    if (!n.service.empty()) return CheckService(i, n);
    bool own_stacks = n.stack != NetworkStack::kRaw && n.placement == StackPlacement::kUserspace;
    if (own_stacks && seen.size() > 1)
      report_.Warning(Iface(i) + "/apps",
                      std::to_string(seen.size()) + " apps would each run their own " +
                          Name(n.stack) + " on " + Quoted(n.name) + " and see every frame",
                      "one app running the stack, offered to the others with \"service\"");
  }

  void CheckService(size_t i, const NetworkInterface& n) {
    std::string p = Iface(i) + "/service";
    if (n.placement != StackPlacement::kUserspace) {
      report_.Error(p,
                    std::string("a stack placed in the ") +
                        (n.placement == StackPlacement::kKernel ? "kernel"
                                                                : "kernel "
                                                                  "(encapsulated)") +
                        " serves apps through its syscall driver, not an IPC service",
                    "remove \"service\", or placement \"userspace\"");
      return;
    }
    const IpcService* s = ipc_ == nullptr ? nullptr : ipc_->FindService(n.service);
    if (s == nullptr) {
      std::vector<std::string> names;
      if (ipc_ != nullptr)
        for (const auto& svc : ipc_->services)
          if (!svc.name.empty()) names.push_back(Quoted(svc.name));
      report_.Error(p, "unknown IPC service " + Quoted(n.service),
                    names.empty() ? "a service defined in /ipc/services" : JoinWords(names));
      return;
    }
    if (!s->server.empty() && !n.apps.Includes(s->server))
      report_.Error(p,
                    "the stack runs in app " + Quoted(s->server) + " (server of " +
                        Quoted(n.service) + "), which " + Iface(i) + "/apps does not include",
                    "add " + Quoted(s->server) + " to " + Iface(i) + "/apps");
  }

  std::vector<std::string> HardwareKinds() const {
    std::vector<std::string> kinds;
    for (const auto& h : board_->network_hardware)
      if (std::find(kinds.begin(), kinds.end(), h.kind) == kinds.end()) kinds.push_back(h.kind);
    return kinds;
  }

  std::vector<std::string> HardwareNames(const std::string& kind) const {
    std::vector<std::string> names;
    for (const auto& h : board_->network_hardware)
      if (h.kind == kind) names.push_back(Quoted(h.name));
    return names;
  }

  // Finds the hardware entry an interface binds to, or reports why there is none.
  const NetworkHardware* Bind(size_t i, const NetworkInterface& n) {
    std::string kind = Name(n.kind);
    if (HardwareNames(kind).empty()) {
      std::vector<std::string> kinds = HardwareKinds();
      report_.Error(Iface(i) + "/kind", board_->name + " has no " + kind + " hardware",
                    kinds.empty() ? "none: this board has no network hardware" : JoinWords(kinds));
      return nullptr;
    }
    if (!n.hardware.empty()) return BindNamed(i, n);
    for (const auto& h : board_->network_hardware)
      if (h.kind == kind && !bound_.count(h.name)) return &h;
    report_.Error(Iface(i) + "/kind",
                  "every " + kind + " hardware entry of " + board_->name +
                      " is already used by another interface",
                  "one interface per hardware entry (" + JoinWords(HardwareNames(kind)) + ")");
    return nullptr;
  }

  const NetworkHardware* BindNamed(size_t i, const NetworkInterface& n) {
    std::string kind = Name(n.kind);
    for (const auto& h : board_->network_hardware) {
      if (h.name != n.hardware) continue;
      if (h.kind == kind) return &h;
      report_.Error(Iface(i) + "/hardware",
                    "hardware " + Quoted(h.name) + " is " + h.kind + ", not " + kind,
                    JoinWords(HardwareNames(kind)));
      return nullptr;
    }
    report_.Error(Iface(i) + "/hardware",
                  board_->name + " has no network hardware named " + Quoted(n.hardware),
                  JoinWords(HardwareNames(kind)));
    return nullptr;
  }

  void CheckHardware(size_t i, const NetworkInterface& n) {
    const NetworkHardware* h = Bind(i, n);
    if (h == nullptr) return;
    auto [it, inserted] = bound_.emplace(h->name, i);
    if (!inserted)
      return report_.Error(
          Iface(i) + "/hardware",
          "hardware " + Quoted(h->name) + " is already used by " + Iface(it->second),
          "one interface per hardware entry");
    if (h->driver_num == 0 && n.placement == StackPlacement::kUserspace)
      report_.Error(Iface(i) + "/placement",
                    "hardware " + Quoted(h->name) + " (" + h->device +
                        ") has no syscall driver, so apps cannot reach it from userspace",
                    "kernel, encapsulated");
    if (n.can_fd && n.kind == NetworkKind::kCan && !h->can_fd)
      report_.Error(Iface(i) + "/can_fd",
                    "hardware " + Quoted(h->name) + " (" + h->device +
                        ") is a classic CAN controller: it cannot send or receive CAN FD frames",
                    "false (classic CAN, up to 8 data bytes per frame)");
    if (h->driver_num == 0x30002 && n.stack != NetworkStack::kTockUdp)
      report_.Error(Iface(i) + "/stack",
                    board_->name + " exposes " + Quoted(h->name) +
                        " only through the UDP capsule (0x30002), not as raw frames",
                    "tock-udp");
  }

  const NetworkConfig& net_;
  std::string ptr_;
  const IpcConfig* ipc_;
  const HardwareBoard* board_;
  ValidationReport& report_;
  std::map<std::string, size_t> bound_;
};

}  // namespace

void CheckNetworkRules(const NetworkConfig& network, const std::string& pointer,
                       const IpcConfig* ipc, const HardwareBoard* board, ValidationReport& report) {
  NetworkRuleChecker(network, pointer, ipc, board, report).Run();
}

}  // namespace tockctl::config
