#include "config/ipc_rules.h"

#include <gtest/gtest.h>

#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::CatalogBoard;
using testing::Lines;
using Strings = std::vector<std::string>;

Strings Check(const std::string& ipc_json, const std::string& board = "qemu_rv32_virt") {
  ValidationReport report;
  IpcConfig ipc = ReadIpcConfig(OrderedJson::parse(ipc_json), "/ipc", report);
  HardwareBoard b = CatalogBoard(board);
  CheckIpcRules(ipc, "/ipc", &b, report);
  return Lines(report);
}

TEST(IpcRulesTest, ProtectionFacts) {
  EXPECT_FALSE(CanShareMemory(CatalogBoard("nrf52840dk").protection));
  EXPECT_FALSE(CanShareMemory(CatalogBoard("raspberry_pi_pico").protection));
  EXPECT_TRUE(CanShareMemory(CatalogBoard("lpc55s69-evk").protection));
  EXPECT_TRUE(CanShareMemory(CatalogBoard("qemu_rv32_virt").protection));
  EXPECT_TRUE(CanShareMemory(CatalogBoard("qemu_i486_q35").protection));
  EXPECT_EQ(EffectiveBackend(IpcBackend::kAuto, CatalogBoard("nrf52840dk").protection),
            IpcBackend::kCopy);
  EXPECT_EQ(EffectiveBackend(IpcBackend::kAuto, CatalogBoard("hifive1").protection),
            IpcBackend::kShared);
  EXPECT_EQ(FreeProcessRegions(CatalogBoard("hifive1").protection), 2u);
  EXPECT_EQ(FreeProcessRegions(CatalogBoard("nrf52840dk").protection), 6u);
}

TEST(IpcRulesTest, SharedBackendOnArmv7mIsAnErrorAutoAWarning) {
  std::string why =
      "nrf52840dk's armv7m-mpu regions must be power-of-two sized and aligned to their size, so "
      "IPC buffers cannot be shared between processes";
  EXPECT_EQ(Check(R"({"backend": "shared"})", "nrf52840dk"),
            Strings{"error: /ipc/backend: backend \"shared\" cannot work: " + why +
                    "; valid: copy, auto (falls back to copy on this board)"});
  EXPECT_EQ(Check(R"({"backend": "auto"})", "nrf52840dk"),
            Strings{"warning: /ipc/backend: backend \"auto\" falls back to copy: " + why +
                    "; valid: copy (to say so explicitly)"});
  EXPECT_EQ(Check(R"({"backend": "copy"})", "nrf52840dk"), Strings{});
  EXPECT_EQ(Check(R"({"backend": "shared"})", "lpc55s69-evk"), Strings{});
}

TEST(IpcRulesTest, SharedMemoryInterfaceIsReportedWhereItIsAskedFor) {
  EXPECT_EQ(
      Check(R"({"backend": "copy", "services": [
                     {"name": "f", "server": "s", "interface": "shared_memory"}]})"),
      Strings{"error: /ipc/services/0/interface: interface \"shared_memory\" needs a back-end "
              "that shares memory, but backend is \"copy\"; valid: backend \"shared\" or "
              "\"auto\", or drop shared_memory"});
}

TEST(IpcRulesTest, SharedBuffersAreLimitedByFreeRegions) {
  // hifive1: 4 app regions, 2 reserved.
  EXPECT_EQ(Check(R"({"backend": "shared", "services": [
                     {"name": "a", "server": "s", "buffers_per_connection": 3}]})",
                  "hifive1"),
            Strings{"error: /ipc/services/0/buffers_per_connection: 3 shared buffers per "
                    "connection need 3 protection regions in each process, but hifive1's riscv-pmp "
                    "leaves 2 regions per process (4 app regions - 2 for the process's own flash "
                    "and RAM); valid: 1..2, or backend \"copy\""});
  // Copied buffers take no regions; with auto, small messages are copied.
  EXPECT_EQ(Check(R"({"backend": "copy", "services": [
                     {"name": "a", "server": "s", "buffers_per_connection": 8}]})",
                  "hifive1"),
            Strings{});
  EXPECT_EQ(Check(R"({"backend": "auto", "copy_threshold": 64, "services": [
                     {"name": "a", "server": "s", "buffers_per_connection": 8,
                      "max_message_size": 64}]})",
                  "hifive1"),
            Strings{});
}

TEST(IpcRulesTest, ClientRegionsAddUpOverServices) {
  EXPECT_EQ(
      Check(R"({"backend": "shared", "services": [
                     {"name": "a", "server": "s1", "buffers_per_connection": 2},
                     {"name": "b", "server": "s2", "buffers_per_connection": 2}],
                   "clients": [{"app": "c", "services": ["a", "b", "a"]}]})"),
      Strings{"error: /ipc/clients/0/services: app \"c\" connects to services with 4 shared "
              "buffers in total, but qemu_rv32_virt's riscv-epmp leaves 3 regions per process "
              "(5 app regions - 2 for the process's own flash and RAM); valid: at most 3 shared "
              "buffers across its services"});
}

TEST(IpcRulesTest, MessagesAndBuffersMustFitRam) {
  EXPECT_EQ(Check(R"({"backend": "copy", "services": [
                     {"name": "a", "server": "s", "max_message_size": 16385}]})",
                  "hifive1"),
            Strings{"error: /ipc/services/0/max_message_size: a 16385-byte message cannot fit in "
                    "hifive1's 16384 bytes of RAM; valid: less than 16384 bytes"});
  EXPECT_EQ(Check(R"({"backend": "copy", "services": [
                     {"name": "a", "server": "s", "buffers_per_connection": 2,
                      "max_message_size": 1024, "max_clients": 4}]})",
                  "hifive1"),
            Strings{});  // exactly half of the RAM is still fine
  EXPECT_EQ(
      Check(R"({"backend": "copy", "services": [
                     {"name": "a", "server": "s", "buffers_per_connection": 2,
                      "max_message_size": 1025, "max_clients": 4}]})",
            "hifive1"),
      Strings{"warning: /ipc/services: IPC buffers (buffers_per_connection x max_message_size "
              "x max_clients, summed over services) need 8200 bytes, more than half of "
              "hifive1's 16384 bytes of RAM; valid: at most 8192 bytes, to leave room for the "
              "kernel and processes"});
}

TEST(IpcRulesTest, ServiceNames) {
  EXPECT_EQ(
      Check(R"({"services": [{"name": "exactly-twenty-bytes", "server": "a"},
                                   {"name": "twenty-one-bytes-long", "server": "b"},
                                   {"name": "exactly-twenty-bytes", "server": "c"}]})"),
      (Strings{"error: /ipc/services/1/name: service name \"twenty-one-bytes-long\" is 21 "
               "bytes long; valid: at most 20 bytes (the string-name registry stores fixed "
               "20-byte names)",
               "error: /ipc/services/2/name: service name \"exactly-twenty-bytes\" is already "
               "used by /ipc/services/0; valid: a name no other service uses"}));
  // Package-name discovery: long names are fine, but must be the server's.
  EXPECT_EQ(Check(R"({"discovery": "package_name", "services": [
                     {"name": "org.tockos.examples.rot13", "server": "org.tockos.examples.rot13"}]})"),
            Strings{});
}

TEST(IpcRulesTest, InterfacesOfferedAndUsed) {
  EXPECT_EQ(Check(R"({"interfaces": ["message_passing", "rpc"], "services": [
                     {"name": "a", "server": "s"}]})"),
            Strings{"warning: /ipc/interfaces/1: interface \"rpc\" is offered but no service uses "
                    "it; valid: remove it, or add a service with \"interface\": \"rpc\""});
  // With no services, the list only says what the kernel builds in.
  EXPECT_EQ(Check(R"({"interfaces": ["message_passing", "rpc"]})"), Strings{});
}

TEST(IpcRulesTest, ClientsAndAllowedClients) {
  EXPECT_EQ(
      Check(R"({"services": [{"name": "a", "server": "s", "allowed_clients": ["c1", "zz"]}],
                   "clients": [{"app": "c1", "services": ["a"]},
                               {"app": "c2", "services": ["a", "b"]}]})"),
      (Strings{"error: /ipc/services/0/allowed_clients/1: unknown app \"zz\": it is neither a "
               "server nor a client in /ipc; valid: \"s\", \"c1\", \"c2\"",
               "error: /ipc/clients/1/services/0: service \"a\" does not allow app \"c2\"; "
               "valid: add \"c2\" to /ipc/services/0/allowed_clients",
               "error: /ipc/clients/1/services/1: unknown service \"b\"; valid: \"a\""}));
}

TEST(IpcRulesTest, FaultPolicyAndAuthentication) {
  EXPECT_EQ(
      Check(R"({"services": [{"name": "a", "server": "s", "authenticate": true,
                                    "allowed_clients": ["c"]}],
                   "clients": [{"app": "c", "services": ["a"], "reliable": true}],
                   "fault_policy": {"server_restart": "stop"}, "authentication": "package_name"})"),
      Strings{"error: /ipc/clients/0/reliable: app \"c\" asks for reliable delivery, but "
              "/ipc/fault_policy/server_restart is \"stop\": a faulted server never comes back "
              "to take the held requests; valid: server_restart \"restart\", or reliable "
              "false"});
}

TEST(IpcRulesTest, WithoutABoardOnlySelfContainedRulesRun) {
  ValidationReport report;
  IpcConfig ipc = ReadIpcConfig(OrderedJson::parse(R"({"backend": "shared", "services": [
      {"name": "a", "server": "s", "max_message_size": 16777216, "max_clients": 64,
       "buffers_per_connection": 32}, {"name": "a", "server": "t"}]})"),
                                "/ipc", report);
  CheckIpcRules(ipc, "/ipc", nullptr, report);
  EXPECT_EQ(Lines(report), Strings{"error: /ipc/services/1/name: service name \"a\" is already "
                                   "used by /ipc/services/0; valid: a name no other service uses"});
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
