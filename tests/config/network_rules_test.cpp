#include "config/network_rules.h"

#include <gtest/gtest.h>

#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::CatalogBoard;
using testing::Lines;
using Strings = std::vector<std::string>;

Strings Check(const std::string& interfaces, const std::string& board,
              const std::string& ipc_json = "{}") {
  ValidationReport report;
  OrderedJson net{{"interfaces", OrderedJson::parse(interfaces)}};
  NetworkConfig n = ReadNetworkConfig(net, "/network", report);
  IpcConfig ipc = ReadIpcConfig(OrderedJson::parse(ipc_json), "/ipc", report);
  HardwareBoard b = CatalogBoard(board);
  CheckNetworkRules(n, "/network", &ipc, &b, report);
  return Lines(report);
}

const char* const kP = "error: /network/interfaces/0/";

TEST(NetworkRulesTest, StackTables) {
  EXPECT_EQ(StacksFor(NetworkKind::kCan), std::vector<NetworkStack>{NetworkStack::kRaw});
  EXPECT_EQ(PlacementsFor(NetworkStack::kTockUdp),
            std::vector<StackPlacement>{StackPlacement::kKernel});
}

TEST(NetworkRulesTest, TheTemplateChoicesAreValid) {
  EXPECT_EQ(Check(R"([{"name": "eth0", "kind": "ethernet", "mac": "02:00:00:00:00:01",
                       "stack": "lwip"}])",
                  "qemu_rv32_virt"),
            Strings{});
  EXPECT_EQ(Check(R"([{"name": "wpan0", "kind": "ieee802154", "stack": "openthread",
                       "eui64": "02:00:00:00:00:00:00:01", "channel": 11},
                      {"name": "ble0", "kind": "ble"}])",
                  "nrf52840dk"),
            Strings{});
  EXPECT_EQ(Check(R"([{"name": "eth0", "kind": "ethernet", "stack": "smoltcp",
                       "multiplexing": "demux"}])",
                  "litex_arty"),
            Strings{});
  EXPECT_EQ(Check(R"([{"name": "wpan0", "kind": "ieee802154", "stack": "tock-udp"}])", "imix"),
            Strings{});
}

TEST(NetworkRulesTest, InterfaceNamesAreOneTo15AsciiLettersDigitsAndDotDashUnderscore) {
  for (const char* good : {"e", "eth0", "wpan.0-x_1", "abcdefghijklmno"})
    EXPECT_EQ(
        Check(std::string(R"([{"kind": "ieee802154", "name": ")") + good + "\"}]", "nrf52840dk"),
        Strings{})
        << good;
  for (const char* bad : {"0eth", "_x", "abcdefghijklmnop", "eth 0", "eth/0", "\u00e9th0"}) {
    Strings found =
        Check(std::string(R"([{"kind": "ieee802154", "name": ")") + bad + "\"}]", "nrf52840dk");
    ASSERT_EQ(found.size(), 1u) << bad;
    EXPECT_TRUE(
        found[0].ends_with("is not valid; valid: 1 to 15 letters, digits, '_', '.' or "
                           "'-', starting with a letter"))
        << found[0];
  }
}

TEST(NetworkRulesTest, KindTheBoardLacks) {
  EXPECT_EQ(
      Check(R"([{"name": "can0", "kind": "can"}])", "nrf52840dk"),
      Strings{std::string(kP) + "kind: nrf52840dk has no can hardware; valid: ble, ieee802154"});
  EXPECT_EQ(Check(R"([{"name": "eth0", "kind": "ethernet"}])", "hifive1"),
            Strings{std::string(kP) + "kind: hifive1 has no ethernet hardware; valid: none: this "
                                      "board has no network hardware"});
}

TEST(NetworkRulesTest, MtuPerKind) {
  EXPECT_EQ(Check(R"([{"name": "eth0", "kind": "ethernet", "mtu": 67}])", "qemu_rv32_virt"),
            Strings{std::string(kP) + "mtu: MTU 67 is outside what ethernet carries; valid: "
                                      "68..1500 (the EthernetTap driver carries frames of at most "
                                      "1518 bytes)"});
  // nucleo_f429zi's bxCAN is classic CAN: CAN FD is refused whatever the MTU.
  std::string no_fd = std::string(kP) +
                      "can_fd: hardware \"can0\" (STM32F4 bxCAN1) is a classic CAN controller: it "
                      "cannot send or receive CAN FD frames; valid: false (classic CAN, up to 8 "
                      "data bytes per frame)";
  EXPECT_EQ(
      Check(R"([{"name": "can0", "kind": "can", "mtu": 64, "can_fd": true}])", "nucleo_f429zi"),
      Strings{no_fd});
  EXPECT_EQ(
      Check(R"([{"name": "can0", "kind": "can", "mtu": 65, "can_fd": true}])", "nucleo_f429zi"),
      (Strings{std::string(kP) + "mtu: MTU 65 is outside what can carries; valid: 1..64 (CAN FD)",
               no_fd}));
}

TEST(NetworkRulesTest, Addresses) {
  EXPECT_EQ(
      Check(R"([{"name": "eth0", "kind": "ethernet", "mac": "03:00:00:00:00:01"}])",
            "qemu_rv32_virt"),
      Strings{std::string(kP) + "mac: MAC 03:00:00:00:00:01 has the multicast (group) bit set; "
                                "an interface address must be unicast; valid: an even first "
                                "byte, e.g. 42:8a:9b:f4:54:19"});
  // A BLE random static address has its top bits set; only all-zero is refused.
  EXPECT_EQ(Check(R"([{"name": "ble0", "kind": "ble", "mac": "c3:00:00:00:00:01"}])", "nrf52840dk"),
            Strings{});
  EXPECT_EQ(Check(R"([{"name": "w", "kind": "ieee802154", "eui64": "00:00:00:00:00:00:00:00"}])",
                  "nrf52840dk"),
            Strings{std::string(kP) + "eui64: EUI-64 00:00:00:00:00:00:00:00 is reserved (all "
                                      "zeros); valid: a unique address such as "
                                      "be:0a:65:8a:78:8c:43:8c"});
}

TEST(NetworkRulesTest, StackKindAndPlacement) {
  EXPECT_EQ(
      Check(R"([{"name": "can0", "kind": "can", "stack": "smoltcp"}])", "nucleo_f429zi"),
      Strings{std::string(kP) + "stack: an IP stack cannot run on CAN: its frames carry at most "
                                "8 data bytes (64 with CAN FD) and have no IP binding; valid: "
                                "raw"});
  EXPECT_EQ(Check(R"([{"name": "w", "kind": "ieee802154", "stack": "openthread",
                       "placement": "encapsulated"}])",
                  "nrf52840dk"),
            Strings{});
  EXPECT_EQ(Check(R"([{"name": "eth0", "kind": "ethernet", "stack": "lwip",
                       "placement": "encapsulated", "multiplexing": "demux"}])",
                  "qemu_rv32_virt"),
            Strings{});
}

TEST(NetworkRulesTest, SharedUserspaceStackWarnsWithoutAService) {
  EXPECT_EQ(
      Check(R"([{"name": "eth0", "kind": "ethernet", "stack": "lwip",
                       "apps": ["a", "b"]}])",
            "qemu_rv32_virt"),
      Strings{"warning: /network/interfaces/0/apps: 2 apps would each run their own lwip on "
              "\"eth0\" and see every frame; valid: one app running the stack, offered to the "
              "others with \"service\""});
  EXPECT_EQ(Check(R"([{"name": "eth0", "kind": "ethernet", "stack": "lwip", "apps": ["netd", "b"],
                       "service": "net"}])",
                  "qemu_rv32_virt", R"({"services": [{"name": "net", "server": "netd"}]})"),
            Strings{});
}

TEST(NetworkRulesTest, UnknownServiceWithoutIpcSection) {
  ValidationReport report;
  OrderedJson net = OrderedJson::parse(
      R"({"interfaces": [{"name": "eth0", "kind": "ethernet", "stack": "lwip", "service": "x"}]})");
  NetworkConfig n = ReadNetworkConfig(net, "/network", report);
  CheckNetworkRules(n, "/network", nullptr, nullptr, report);
  EXPECT_EQ(Lines(report), Strings{std::string(kP) + "service: unknown IPC service \"x\"; valid: "
                                                     "a service defined in /ipc/services"});
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
