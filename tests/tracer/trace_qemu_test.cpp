// End to end: QEMU runs the demo firmware (firmware/qemu_demo) with its UART on a TCP chardev;
// `tockctl trace --tcp` decodes the stream, writes pcapng, and tshark reads what it wrote.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/process.h"
#include "tests/support/test_support.h"
#include "tests/tracer/pcapng_reader.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;

uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string RunTool(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  return r.stdout_text;
}

TEST(TraceQemu, DemoFirmwareStreamDecodesCleanlyIntoPcapng) {
  const fs::path elf = tockctl::testing::BuildDir() / "firmware/qemu_demo.elf";
  const auto qemu = FindProgram("qemu-system-riscv32");
  if (!qemu || !fs::exists(elf)) {
    GTEST_SKIP() << "needs qemu-system-riscv32 and the demo firmware (" << elf.string() << ")";
  }
  tockctl::testing::TempDir dir;
  const uint16_t port = FreeLoopbackPort();
  ProcessSpec spec;  // wait=on: the guest starts only once tockctl is connected, so no byte is lost
  spec.argv = {*qemu,      "-M",
               "virt",     "-nodefaults",
               "-display", "none",
               "-bios",    elf.string(),
               "-serial",  "tcp:127.0.0.1:" + std::to_string(port) + ",server=on,wait=on"};
  PosixProcessRunner runner;
  auto child = runner.Spawn(spec, (dir.path() / "qemu.log").string());
  const fs::path pcap = dir.path() / "demo.pcapng";
  auto run =
      tockctl::testing::RunTockctl({"trace", "--tcp", "127.0.0.1:" + std::to_string(port), "--wait",
                                    "--count", "400", "--format", "json", "-o", pcap.string()});
  child->Stop();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  // With --wait, a "connected" status line comes first only if tockctl dialled before QEMU was
  // listening; which of the two starts first is up to the scheduler.
  if (!lines.empty() && lines.front()["type"] == "status") {
    EXPECT_EQ(lines.front()["event"], "connected");
    lines.erase(lines.begin());
  }
  // The firmware's console text shares the UART (protocol v2): its boot banner comes first.
  std::vector<std::string> console;
  std::erase_if(lines, [&](const nlohmann::json& j) {
    if (j["type"] != "console") return false;
    console.push_back(j["text"]);
    return true;
  });
  ASSERT_FALSE(console.empty());
  EXPECT_EQ(console[0], "Initialization complete. Entering main loop\r\n");
  ASSERT_EQ(lines.size(), 401u);  // 400 records, the statistics
  EXPECT_EQ(lines[0]["type"], "hello");
  EXPECT_EQ(lines[0]["board"], "qemu_rv32_virt");
  const auto& decoder = lines.back()["decoder"];
  // The decoder counts every record it read, also any after the 400th in the same read
  // (docs/trace.md); the 400 written are counted above.
  EXPECT_GE(decoder["records"], 400);
  EXPECT_EQ(decoder["corrupt"], 0);
  EXPECT_EQ(decoder["gap"], 0);
  EXPECT_EQ(decoder["malformed"], 0);
  EXPECT_EQ(decoder["unknown_type"], 0);

  const auto cap = testing::ParseCapture([&] {
    std::ifstream in(pcap, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
  }());
  EXPECT_EQ(cap.packets.size(), 400u + console.size());
  ASSERT_EQ(cap.interfaces.size(), 4u);  // tock-trace, tock-console (before HELLO), eth0, wpan0
  EXPECT_EQ(cap.interfaces[1].linktype, 148);
  EXPECT_EQ(cap.interfaces[2].linktype, 1);
  EXPECT_EQ(cap.interfaces[3].linktype, 230);
  if (!FindProgram("tshark")) GTEST_SKIP() << "tshark is not installed";
  const std::string udp = RunTool(
      {"tshark", "-r", pcap.string(), "-Y", "udp && eth", "-T", "fields", "-e", "ipv6.src"});
  EXPECT_NE(udp.find("fd00::2\n"), std::string::npos) << udp;  // device -> host
  EXPECT_NE(udp.find("fd00::1\n"), std::string::npos) << udp;  // host -> device
  const std::string wpan =
      RunTool({"tshark", "-r", pcap.string(), "-Y", "wpan", "-T", "fields", "-e", "wpan.dst_pan"});
  EXPECT_EQ(wpan.substr(0, wpan.find('\n')), "0xabcd");
  const fs::path lua = tockctl::testing::SourceDir() / "tracer/dissector/tockctl_ipc.lua";
  const std::string names =
      RunTool({"tshark", "-r", pcap.string(), "-Xlua_script:" + lua.string(), "-Y",
               "tockctl.type == 0x20", "-T", "fields", "-e", "tockctl.service_name"});
  EXPECT_EQ(names, "net.svc\nkv.store\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
