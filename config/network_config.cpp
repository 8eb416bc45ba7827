#include "config/network_config.h"

#include <array>

#include "common/hex.h"
#include "config/hardware_address.h"

namespace tockctl::config {
namespace {

constexpr std::array<const char*, 5> kKindNames{"ethernet", "ieee802154", "wifi", "can", "ble"};
constexpr std::array<const char*, 5> kStackNames{"raw", "lwip", "smoltcp", "openthread",
                                                 "tock-udp"};
constexpr std::array<const char*, 3> kPlacementNames{"kernel", "userspace", "encapsulated"};
constexpr std::array<const char*, 2> kMultiplexingNames{"broadcast", "demux"};

std::optional<std::vector<uint8_t>> ReadAddress(ObjectReader& r, const std::string& key,
                                                size_t bytes) {
  auto text = r.String(key);
  if (!text) return std::nullopt;
  auto address = ParseHardwareAddress(*text, bytes);
  if (!address) {
    std::string example = FormatHardwareAddress(DeriveHardwareAddress("example", bytes));
    r.report().Error(
        r.PointerOf(key), "malformed " + key + " \"" + *text + "\"",
        std::to_string(bytes) + " hex byte pairs separated by colons, e.g. " + example);
  }
  return address;
}

void ReadStackFields(ObjectReader& r, NetworkInterface& n) {
  ReadEnum(r, "stack", kStackNames, n.stack);
  n.placement = DefaultPlacement(n.stack);
  ReadEnum(r, "placement", kPlacementNames, n.placement);
  ReadEnum(r, "multiplexing", kMultiplexingNames, n.multiplexing);
  if (const OrderedJson* v = r.Member("apps", false))
    n.apps = ReadAppSelection(*v, r.PointerOf("apps"), r.report());
  n.service = r.Name("service", "the name of a service in /ipc/services").value_or("");
}

NetworkInterface ReadInterface(const OrderedJson& json, const std::string& pointer,
                               ValidationReport& report) {
  NetworkInterface n;
  ObjectReader r(json, pointer, report);
  n.name = r.Name("name", "1 to 15 letters, digits, '_', '.' or '-', starting with a letter", true)
               .value_or("");
  auto kind = r.Enum("kind", NameList(kKindNames), true);
  if (kind) n.kind = *EnumFromName<NetworkKind>(kKindNames, *kind);
  n.kind_known = kind.has_value();
  n.hardware = r.Name("hardware", "the name of a network_hardware entry of the board").value_or("");
  n.mac = ReadAddress(r, "mac", kMacBytes);
  n.eui64 = ReadAddress(r, "eui64", kEui64Bytes);
  if (auto v = r.Bool("can_fd")) n.can_fd = *v;
  n.mtu = MtuLimitsFor(n.kind, n.can_fd).default_mtu;
  if (auto v = r.Unsigned("mtu", 1, 65535)) n.mtu = static_cast<uint32_t>(*v);
  ReadStackFields(r, n);
  if (auto v = r.Unsigned("channel", 11, 26)) n.channel = static_cast<uint32_t>(*v);
  if (auto v = r.Unsigned("pan_id", 0, 0xfffe)) n.pan_id = static_cast<uint32_t>(*v);
  r.WarnUnknownKeys();
  return n;
}

}  // namespace

MtuLimits MtuLimitsFor(NetworkKind kind, bool can_fd) {
  switch (kind) {
    case NetworkKind::kEthernet:
      return {68, 1500, 1500};
    case NetworkKind::kIeee802154:
      return {9, 127, 127};
    case NetworkKind::kWifi:
      return {68, 1500, 1500};
    case NetworkKind::kCan:
      return can_fd ? MtuLimits{1, 64, 64} : MtuLimits{1, 8, 8};
    case NetworkKind::kBle:
      return {1, 31, 31};
  }
  return {};
}

StackPlacement DefaultPlacement(NetworkStack stack) {
  switch (stack) {
    case NetworkStack::kSmoltcp:
    case NetworkStack::kTockUdp:
      return StackPlacement::kKernel;
    default:
      return StackPlacement::kUserspace;
  }
}

const char* Name(NetworkKind v) { return kKindNames[static_cast<size_t>(v)]; }
const char* Name(NetworkStack v) { return kStackNames[static_cast<size_t>(v)]; }
const char* Name(StackPlacement v) { return kPlacementNames[static_cast<size_t>(v)]; }
const char* Name(Multiplexing v) { return kMultiplexingNames[static_cast<size_t>(v)]; }

NetworkConfig ReadNetworkConfig(const OrderedJson& json, const std::string& pointer,
                                ValidationReport& report) {
  NetworkConfig c;
  ObjectReader r(json, pointer, report);
  if (const OrderedJson* list = r.Array("interfaces")) {
    for (size_t i = 0; i < list->size(); ++i)
      c.interfaces.push_back(
          ReadInterface((*list)[i], r.PointerOf("interfaces") + "/" + std::to_string(i), report));
  }
  r.WarnUnknownKeys();
  return c;
}

void from_json(const OrderedJson& json, NetworkConfig& config) {
  ValidationReport report;
  config = ReadNetworkConfig(json, "/network", report);
  ThrowFirstError(report);
}

namespace {

OrderedJson InterfaceJson(const NetworkInterface& n) {
  OrderedJson j{{"name", n.name}, {"kind", Name(n.kind)}};
  if (!n.hardware.empty()) j["hardware"] = n.hardware;
  if (n.mac) j["mac"] = FormatHardwareAddress(*n.mac);
  if (n.eui64) j["eui64"] = FormatHardwareAddress(*n.eui64);
  if (n.can_fd) j["can_fd"] = true;
  j["mtu"] = n.mtu;
  j["stack"] = Name(n.stack);
  j["placement"] = Name(n.placement);
  j["multiplexing"] = Name(n.multiplexing);
  to_json(j["apps"], n.apps);
  if (!n.service.empty()) j["service"] = n.service;
  if (n.channel) j["channel"] = *n.channel;
  if (n.pan_id) j["pan_id"] = HexNumber(*n.pan_id);
  return j;
}

}  // namespace

void to_json(OrderedJson& json, const NetworkConfig& config) {
  OrderedJson list = OrderedJson::array();
  for (const auto& n : config.interfaces) list.push_back(InterfaceJson(n));
  json = OrderedJson{{"interfaces", list}};
}

}  // namespace tockctl::config
