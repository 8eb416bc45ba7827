#include "config/network_config.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "config/hardware_address.h"
#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Lines;

NetworkInterface ReadOne(const std::string& json, ValidationReport& report) {
  OrderedJson j{{"interfaces", OrderedJson::array({OrderedJson::parse(json)})}};
  NetworkConfig c = ReadNetworkConfig(j, "/network", report);
  return c.interfaces.at(0);
}

TEST(NetworkConfigTest, DefaultsDependOnKindAndStack) {
  ValidationReport report;
  NetworkInterface eth = ReadOne(R"({"name": "eth0", "kind": "ethernet"})", report);
  EXPECT_EQ(eth.mtu, 1500u);
  EXPECT_EQ(eth.stack, NetworkStack::kRaw);
  EXPECT_EQ(eth.placement, StackPlacement::kUserspace);
  EXPECT_EQ(eth.multiplexing, Multiplexing::kBroadcast);
  EXPECT_TRUE(eth.apps.all);
  NetworkInterface wpan =
      ReadOne(R"({"name": "w", "kind": "ieee802154", "stack": "tock-udp"})", report);
  EXPECT_EQ(wpan.mtu, 127u);
  EXPECT_EQ(wpan.placement, StackPlacement::kKernel);
  NetworkInterface can = ReadOne(R"({"name": "c", "kind": "can", "can_fd": true})", report);
  EXPECT_EQ(can.mtu, 64u);
  EXPECT_EQ(ReadOne(R"({"name": "b", "kind": "ble"})", report).mtu, 31u);
  EXPECT_EQ(ReadOne(R"({"name": "s", "kind": "wifi", "stack": "smoltcp"})", report).placement,
            StackPlacement::kKernel);
  EXPECT_TRUE(report.findings().empty());
}

TEST(NetworkConfigTest, ReadsAddressesAndRadioFields) {
  ValidationReport report;
  NetworkInterface n = ReadOne(R"({"name": "w", "kind": "ieee802154",
      "eui64": "02:00:00:00:00:00:00:01", "channel": 26, "pan_id": "0xabcd"})",
                               report);
  ASSERT_TRUE(n.eui64);
  EXPECT_EQ(FormatHardwareAddress(*n.eui64), "02:00:00:00:00:00:00:01");
  EXPECT_EQ(n.channel, 26u);
  EXPECT_EQ(n.pan_id, 0xabcdu);
  EXPECT_TRUE(report.findings().empty());
}

TEST(NetworkConfigTest, StructuralProblemsAreFindings) {
  ValidationReport report;
  NetworkInterface n = ReadOne(R"({"name": "w", "kind": "token-ring", "mac": "02:00",
      "channel": 27, "pan_id": "0xffff", "mtu": 0, "stack": "uip"})",
                               report);
  EXPECT_FALSE(n.kind_known);
  EXPECT_EQ(
      Lines(report),
      (std::vector<std::string>{
          "error: /network/interfaces/0/kind: unknown kind \"token-ring\"; valid: ethernet, "
          "ieee802154, wifi, can, ble",
          "error: /network/interfaces/0/mac: malformed mac \"02:00\"; valid: 6 hex byte pairs "
          "separated by colons, e.g. 42:60:d6:c8:83:14",
          "error: /network/interfaces/0/mtu: mtu 0 is out of range; valid: 1..65535",
          "error: /network/interfaces/0/stack: unknown stack \"uip\"; valid: raw, lwip, "
          "smoltcp, openthread, tock-udp",
          "error: /network/interfaces/0/channel: channel 27 is out of range; valid: 11..26",
          "error: /network/interfaces/0/pan_id: pan_id 65535 is out of range; valid: 0..65534"}));
}

TEST(NetworkConfigTest, RoundTripsThroughJson) {
  OrderedJson j = OrderedJson::parse(R"({"interfaces": [
    {"name": "eth0", "kind": "ethernet", "hardware": "eth0", "mac": "02:00:00:00:00:01",
     "mtu": 1500, "stack": "lwip", "placement": "userspace", "multiplexing": "broadcast",
     "apps": ["netd"], "service": "net"},
    {"name": "wpan0", "kind": "ieee802154", "eui64": "02:00:00:00:00:00:00:01", "mtu": 127,
     "stack": "openthread", "placement": "userspace", "multiplexing": "broadcast", "apps": "*",
     "channel": 26, "pan_id": "0xabcd"}]})");
  NetworkConfig c = j.get<NetworkConfig>();
  OrderedJson back;
  to_json(back, c);
  EXPECT_EQ(back, j);
}

TEST(NetworkConfigTest, StrictConversionThrows) {
  OrderedJson j = OrderedJson::parse(R"({"interfaces": [{"kind": "can"}]})");
  try {
    (void)j.get<NetworkConfig>();
    FAIL() << "no throw";
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.Describe(),
              "/network/interfaces/0/name: missing required key \"name\"; valid: add \"name\" to "
              "/network/interfaces/0");
  }
}

TEST(NetworkConfigTest, MtuLimits) {
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kEthernet, false).max, 1500u);
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kEthernet, false).min, 68u);
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kIeee802154, false).max, 127u);
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kCan, false).max, 8u);
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kCan, true).max, 64u);
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kBle, false).max, 31u);
  EXPECT_EQ(MtuLimitsFor(NetworkKind::kWifi, false).max, 1500u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
