// `tockctl trace --qemu` when it cannot be used: no QEMU recorded, a recorded one that is gone,
// another source as well; and following a QEMU that a new `tockctl flash` restarted on another
// port (a stand-in QEMU: a process named qemu-system-... and a loopback UART). Tracing a real QEMU
// this way is tested in tests/e2e/demo_*_test.cpp.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::SourceDir;
using testing::TempDir;

CliRun TraceWithRuntimeDir(const fs::path& runtime, const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv = {TOCKCTL_BINARY, "trace"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {{"NO_COLOR", "1"},
              {"TOCKCTL_DATA_DIR", SourceDir().string()},
              {"TOCKCTL_RUNTIME_DIR", runtime.string()}};
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

TEST(TraceQemuSource, WithoutARecordedQemuSaysHowToStartOne) {
  TempDir dir;
  CliRun r = TraceWithRuntimeDir(dir.path(), {"--qemu"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: no QEMU started by tockctl is running (no " +
                       (dir.path() / "qemu.json").string() +
                       "); start it with: tockctl flash IMAGE --board qemu_rv32_virt\n");
}

TEST(TraceQemuSource, ARecordedQemuThatIsGoneIsNotTraced) {
  TempDir dir;
  // This test's own pid: alive, but not a QEMU, so the state file is stale.
  std::string pid = std::to_string(::getpid());
  dir.Write("qemu.json", R"({"pid": )" + pid +
                             R"(, "gdb_port": 1234, "uart_port": 4444, "started_at": 0,
                                "board": "qemu_rv32_virt", "image": "k.elf", "log": "", "argv": []})");
  CliRun r = TraceWithRuntimeDir(dir.path(), {"--qemu"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err, "error: the QEMU that tockctl started (pid " + pid + " in " +
                       (dir.path() / "qemu.json").string() +
                       ") is no longer running; start it with: tockctl flash IMAGE --board "
                       "qemu_rv32_virt\n");
}

TEST(TraceQemuSource, IsOneSourceAmongTheOthers) {
  TempDir dir;
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--tcp", "127.0.0.1:4444"},
                                                        {"--serial", "/dev/ttyACM0"},
                                                        {"--usb", "6667:0001"},
                                                        {"--replay", "x.raw"}}) {
    CliRun r = TraceWithRuntimeDir(dir.path(), {"--qemu", flag, value});
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_EQ(r.err, "error: --qemu and " + flag +
                         " cannot be used together; give exactly one trace source\n");
  }
}

// A listening TCP socket on 127.0.0.1 standing in for QEMU's UART chardev.
class FakeUart {
 public:
  FakeUart() : listen_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_, 1), 0);
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeUart() {
    if (client_ >= 0) ::close(client_);
    ::close(listen_);
  }
  FakeUart(const FakeUart&) = delete;
  FakeUart& operator=(const FakeUart&) = delete;
  uint16_t port() const { return port_; }
  /// Waits for the trace to connect, then sends `bytes`.
  void AcceptAndSend(const std::string& bytes) {
    client_ = ::accept(listen_, nullptr, nullptr);
    ASSERT_GE(client_, 0);
    ASSERT_EQ(::send(client_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

 private:
  int listen_;
  int client_ = -1;
  uint16_t port_ = 0;
};

using ::tockctl::testing::Slurp;

// Records a QEMU at `pid` with its UART on `uart_port`, as `tockctl flash` does.
void RecordQemu(const TempDir& dir, int pid, uint16_t uart_port) {
  dir.Write("qemu.json.new", R"({"pid": )" + std::to_string(pid) +
                                 R"(, "gdb_port": 1, "uart_port": )" + std::to_string(uart_port) +
                                 R"(, "started_at": 0,
      "board": "qemu_rv32_virt", "image": "k.elf", "log": "", "argv": []})");
  fs::rename(dir.path() / "qemu.json.new", dir.path() / "qemu.json");
}

bool WaitForText(const fs::path& log, const std::string& text) {
  for (int i = 0; i < 400; ++i) {
    if (Slurp(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(TraceQemuSource, FollowsAQemuRestartedOnAnotherPortLikeExtcap) {
  TempDir dir;
  PosixProcessRunner runner;
  ProcessSpec fake_qemu;
  fake_qemu.argv = {"bash", "-c", "exec -a qemu-system-riscv32 sleep 120"};
  auto first_qemu = runner.Spawn(fake_qemu, "");
  auto first_uart = std::make_unique<FakeUart>();
  // Give exec a moment to rename the process before the trace looks at it.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RecordQemu(dir, first_qemu->pid(), first_uart->port());

  ProcessSpec spec;
  spec.argv = {TOCKCTL_BINARY, "trace", "--qemu", "--format", "json", "--count", "3"};
  spec.env = {{"NO_COLOR", "1"},
              {"TOCKCTL_DATA_DIR", SourceDir().string()},
              {"TOCKCTL_RUNTIME_DIR", dir.path().string()}};
  fs::path log = dir.path() / "trace.log";
  auto trace = runner.Spawn(spec, log.string());
  first_uart->AcceptAndSend("");
  ASSERT_TRUE(WaitForText(
      log, "trace: reading QEMU UART tcp 127.0.0.1:" + std::to_string(first_uart->port())))
      << Slurp(log);

  // `tockctl flash` stops that QEMU and starts another one on a new port.
  first_qemu->Stop();
  first_uart.reset();
  auto second_qemu = runner.Spawn(fake_qemu, "");
  FakeUart second_uart;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RecordQemu(dir, second_qemu->pid(), second_uart.port());
  second_uart.AcceptAndSend(Slurp(SourceDir() / "tests/fixtures/trace/basic.bin"));
  ASSERT_TRUE(WaitForText(
      log, "QEMU restarted; reading QEMU UART tcp 127.0.0.1:" + std::to_string(second_uart.port())))
      << Slurp(log);
  EXPECT_TRUE(WaitForText(log, R"("type":"hello")")) << Slurp(log);
  trace->Stop();
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
