#include "config/config_summary.h"

#include <gtest/gtest.h>

#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ConfigSummaryTest, DescribesBoardIpcAndNetwork) {
  JsonDocument doc = JsonDocument::Parse(
      FormatJson(testing::BoardFile(
          "qemu_rv32_virt", nlohmann::ordered_json::parse(R"({"backend": "auto", "services": [
              {"name": "net", "server": "netd", "interface": "rpc", "allowed_clients": ["a", "b"],
               "max_message_size": 1514}]})"),
          nlohmann::ordered_json::parse(R"({"interfaces": [{"name": "eth0", "kind": "ethernet",
              "mac": "02:00:00:00:00:01", "stack": "lwip"}]})"))),
      "t.json");
  EXPECT_EQ(DescribeBoardConfig(CheckBoardConfig(doc)),
            "board       qemu_rv32_virt: QEMU RISC-V 32-bit virt machine\n"
            "chip        qemu_rv32_virt_chip, rv32imac, riscv32imac-unknown-none-elf\n"
            "protection  riscv-epmp: 5 regions per process, 3 free for IPC\n"
            "ram         0x80200000 + 0x200000\n"
            "ipc: backend auto (shared on this board); interfaces rpc; 1 service, 0 clients\n"
            "  SERVICE  SERVER  INTERFACE  CLIENTS  BUFFERS  MAX MESSAGE  MAX CLIENTS\n"
            "  net      netd    rpc        a,b      2        1514         4\n"
            "network: 1 interface\n"
            "  NAME  KIND      ADDRESS            MTU   STACK  PLACEMENT  MUX        APPS\n"
            "  eth0  ethernet  02:00:00:00:00:01  1500  lwip   userspace  broadcast  *\n"
            "trace: absent (off)\n");
}

TEST(ConfigSummaryTest, MissingPartsAreSaid) {
  JsonDocument doc = JsonDocument::Parse(R"({"format": 1})", "t.json");
  EXPECT_EQ(DescribeBoardConfig(CheckBoardConfig(doc)),
            "board: unreadable (run tockctl config validate)\nipc: absent\nnetwork: absent\n"
            "trace: absent (off)\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
