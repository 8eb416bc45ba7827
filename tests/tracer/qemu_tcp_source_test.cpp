// TcpSource against the real thing: QEMU running the demo firmware with its UART on a TCP chardev
// (`-serial tcp:127.0.0.1:PORT,server=on,wait=off`), stopped and started again.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>

#include "common/process.h"
#include "tests/support/test_support.h"
#include "tests/tracer/source_test_support.h"
#include "tracer/tcp_source.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::TestLogger;
using testing::WaitForStatus;
using Steady = std::chrono::steady_clock;

constexpr milliseconds kPatience{20'000};

uint16_t UnusedLoopbackPort() {
  devices::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

class QemuTcpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    elf_ = ::tockctl::testing::BuildDir() / "firmware" / "qemu_demo.elf";
    auto qemu = FindProgram("qemu-system-riscv32");
    if (!qemu || !std::filesystem::exists(elf_)) {
      GTEST_SKIP() << "needs qemu-system-riscv32 and the demo firmware (" << elf_.string() << ")";
    }
    qemu_ = *qemu;
    port_ = UnusedLoopbackPort();
  }

  std::unique_ptr<ChildProcess> StartQemu() {
    ProcessSpec spec;
    std::string serial = "tcp:127.0.0.1:" + std::to_string(port_) + ",server=on,wait=off";
    spec.argv = {qemu_,  "-M",    "virt",        "-nodefaults", "-display",
                 "none", "-bios", elf_.string(), "-serial",     serial};
    return runner_.Spawn(spec, (dir_.path() / "qemu.log").string());
  }

  // Reads until the firmware's HELLO (which names the board) has arrived.
  void ExpectHello(ByteSource& source) {
    std::string seen;
    std::vector<uint8_t> buf(4096);
    auto deadline = Steady::now() + kPatience;
    while (seen.find("qemu_rv32_virt") == std::string::npos && Steady::now() < deadline) {
      ReadResult r = source.Read(buf, milliseconds(100));
      ASSERT_TRUE(r.status == ReadStatus::kData || r.status == ReadStatus::kTimeout ||
                  r.status == ReadStatus::kReconnected)
          << r.detail;
      seen.append(buf.begin(), buf.begin() + static_cast<long>(r.bytes));
    }
    EXPECT_NE(seen.find("qemu_rv32_virt"), std::string::npos)
        << "no HELLO in " << seen.size() << " bytes";
  }

  ::tockctl::testing::TempDir dir_;
  PosixProcessRunner runner_;
  std::filesystem::path elf_;
  std::string qemu_;
  uint16_t port_ = 0;
};

TEST_F(QemuTcpSourceTest, FollowsQemuThroughARestart) {
  auto qemu = StartQemu();
  TcpOptions options;
  options.endpoint = {"127.0.0.1", port_};
  options.wait_for_device = true;  // QEMU may not listen yet
  options.reconnect_interval = milliseconds(20);
  TcpSource source(options, TestLogger());
  ExpectHello(source);

  qemu->Stop();
  std::string where = "127.0.0.1:" + std::to_string(port_);
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kDisconnected, kPatience).detail,
            "tcp " + where + ": the peer closed the connection; reconnecting");

  qemu = StartQemu();
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "reconnected to " + where);
  ExpectHello(source);  // the restarted firmware starts its stream with HELLO again
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
