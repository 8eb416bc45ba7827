#include "config/ipc_config.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Lines;

TEST(IpcConfigTest, EmptyObjectGivesDefaults) {
  ValidationReport report;
  IpcConfig c = ReadIpcConfig(OrderedJson::object(), "/ipc", report);
  EXPECT_TRUE(report.findings().empty());
  EXPECT_TRUE(c.interfaces.empty());
  EXPECT_FALSE(c.interfaces_listed);
  EXPECT_EQ(c.backend, IpcBackend::kAuto);
  EXPECT_EQ(c.copy_threshold, 256u);
  EXPECT_EQ(c.discovery, IpcDiscovery::kStringName);
  EXPECT_EQ(c.fault_policy.server_fault, ServerFaultAction::kNotify);
  EXPECT_EQ(c.fault_policy.server_restart, ServerRestart::kRestart);
  EXPECT_EQ(c.fault_policy.client_fault, ClientFaultAction::kNotifyServer);
  EXPECT_EQ(c.fault_policy.reliable_timeout_ms, 1000u);
  EXPECT_EQ(c.authentication, IpcAuthMethod::kNone);
}

TEST(IpcConfigTest, ReadsEveryField) {
  OrderedJson j = OrderedJson::parse(R"({
    "interfaces": ["rpc", "shared_memory"], "backend": "shared", "copy_threshold": "0x80",
    "discovery": "package_name",
    "services": [{"name": "net", "server": "netd", "interface": "rpc",
                  "allowed_clients": ["web"], "buffers_per_connection": 3,
                  "max_message_size": 1514, "max_clients": 2, "authenticate": true}],
    "clients": [{"app": "web", "services": ["net"], "reliable": true}],
    "fault_policy": {"server_fault": "reconnect", "server_restart": "stop",
                     "client_fault": "release", "reliable_timeout_ms": 50},
    "authentication": "app_id"})");
  ValidationReport report;
  IpcConfig c = ReadIpcConfig(j, "/ipc", report);
  EXPECT_TRUE(report.findings().empty()) << Lines(report)[0];
  EXPECT_EQ(c.interfaces,
            (std::vector<IpcInterface>{IpcInterface::kRpc, IpcInterface::kSharedMemory}));
  EXPECT_TRUE(c.interfaces_listed);
  EXPECT_EQ(c.backend, IpcBackend::kShared);
  EXPECT_EQ(c.copy_threshold, 128u);
  ASSERT_EQ(c.services.size(), 1u);
  const IpcService& s = c.services[0];
  EXPECT_EQ(s.interface, IpcInterface::kRpc);
  EXPECT_FALSE(s.allowed_clients.all);
  EXPECT_TRUE(s.allowed_clients.Includes("web"));
  EXPECT_FALSE(s.allowed_clients.Includes("other"));
  EXPECT_EQ(s.buffers_per_connection, 3u);
  EXPECT_EQ(s.max_message_size, 1514u);
  EXPECT_EQ(s.max_clients, 2u);
  EXPECT_TRUE(s.authenticate);
  ASSERT_EQ(c.clients.size(), 1u);
  EXPECT_TRUE(c.clients[0].reliable);
  EXPECT_EQ(c.fault_policy.reliable_timeout_ms, 50u);
  EXPECT_EQ(c.authentication, IpcAuthMethod::kAppId);
  EXPECT_EQ(c.FindService("net"), &c.services[0]);
  EXPECT_EQ(c.FindService("nope"), nullptr);
}

TEST(IpcConfigTest, UnlistedInterfacesAreThoseTheServicesUse) {
  OrderedJson j = OrderedJson::parse(R"({"services": [
    {"name": "a", "server": "x", "interface": "rpc"}, {"name": "b", "server": "y"},
    {"name": "c", "server": "z", "interface": "rpc"}]})");
  ValidationReport report;
  IpcConfig c = ReadIpcConfig(j, "/ipc", report);
  EXPECT_EQ(c.interfaces,
            (std::vector<IpcInterface>{IpcInterface::kMessagePassing, IpcInterface::kRpc}));
  EXPECT_FALSE(c.interfaces_listed);
}

TEST(IpcConfigTest, BadInterfaceEntryMakesTheListUnlisted) {
  OrderedJson j = OrderedJson::parse(R"({"interfaces": ["rpc", "dma"]})");
  ValidationReport report;
  IpcConfig c = ReadIpcConfig(j, "/ipc", report);
  EXPECT_FALSE(c.interfaces_listed);
  EXPECT_EQ(Lines(report), (std::vector<std::string>{
                               "error: /ipc/interfaces/1: unknown interfaces entry \"dma\"; valid: "
                               "message_passing, shared_memory, rpc"}));
}

TEST(IpcConfigTest, RoundTripsThroughJson) {
  IpcConfig c;
  c.interfaces = {IpcInterface::kMessagePassing};
  c.interfaces_listed = true;
  c.backend = IpcBackend::kCopy;
  IpcService s;
  s.name = "log";
  s.server = "logger";
  s.allowed_clients.all = false;
  s.allowed_clients.apps = {"a", "b"};
  c.services.push_back(s);
  c.clients.push_back({"a", {"log"}, true});
  OrderedJson j;
  to_json(j, c);
  EXPECT_EQ(
      j.dump(),
      R"({"interfaces":["message_passing"],"backend":"copy","copy_threshold":256,)"
      R"("discovery":"string_name","services":[{"name":"log","server":"logger",)"
      R"("interface":"message_passing","allowed_clients":["a","b"],)"
      R"("buffers_per_connection":2,"max_message_size":256,"max_clients":4,)"
      R"("authenticate":false}],"clients":[{"app":"a","services":["log"],"reliable":true}],)"
      R"("fault_policy":{"server_fault":"notify","server_restart":"restart",)"
      R"("client_fault":"notify_server","reliable_timeout_ms":1000},"authentication":"none"})");
  IpcConfig back = j.get<IpcConfig>();
  OrderedJson again;
  to_json(again, back);
  EXPECT_EQ(again, j);
}

TEST(IpcConfigTest, StrictConversionThrowsTheFirstError) {
  OrderedJson j = OrderedJson::parse(R"({"backend": "zero-copy", "copy_threshold": -1})");
  try {
    (void)j.get<IpcConfig>();
    FAIL() << "no throw";
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.Describe(),
              "/ipc/backend: unknown backend \"zero-copy\"; valid: copy, shared, auto");
  }
}

TEST(IpcConfigTest, AppSelectionKeepsIndexesOfBadEntries) {
  ValidationReport report;
  AppSelection s = ReadAppSelection(OrderedJson::parse(R"(["a", 3, "b"])"), "/x", report);
  EXPECT_EQ(s.apps, (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Lines(report), (std::vector<std::string>{
                               "error: /x/1: expected an app name, found 3; valid: a non-empty app "
                               "(TBF package) name"}));
  ValidationReport r2;
  EXPECT_TRUE(ReadAppSelection(OrderedJson("*"), "/x", r2).all);
  ReadAppSelection(OrderedJson("web"), "/x", r2);
  EXPECT_EQ(Lines(r2),
            (std::vector<std::string>{
                "error: /x: expected \"*\" or a list of app names, found \"web\"; valid: "
                "\"*\" (every app) or a list such as [\"app1\", \"app2\"]"}));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
