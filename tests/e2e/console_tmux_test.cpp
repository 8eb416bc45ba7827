// `tockctl console` as a person uses it: in a tmux pane (a real terminal), against the demo
// firmware flashed to QEMU with `tockctl flash`. Keys are typed with send-keys, the screen is read
// with capture-pane, and `stty -a` in the same pane shows the terminal restored afterwards.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/e2e/demo_e2e_support.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::BuildDir;
using testing::DemoWorkspace;

// Runs `command` with sh and returns its stdout.
std::string Sh(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  ::pclose(pipe);
  return out;
}

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// A private tmux server with one 200x50 pane running sh, in the workspace's environment.
class TmuxPane {
 public:
  explicit TmuxPane(const DemoWorkspace& ws) : socket_((ws.dir() / "tmux.sock").string()) {
    std::string env;
    for (const auto& [k, v] : ws.Env()) env += " -e " + Quoted(k + "=" + v);
    Sh(Tmux() + " new-session -d -x 200 -y 50" + env + " sh");
  }
  ~TmuxPane() { Sh(Tmux() + " kill-server 2>/dev/null"); }
  // Types `keys` (tmux key names, e.g. "list Enter" or "C-]").
  void SendKeys(const std::string& keys) const { Sh(Tmux() + " send-keys -t 0 " + keys); }
  void TypeLine(const std::string& line) const { SendKeys(Quoted(line) + " Enter"); }
  // The pane's screen and 2000 lines of history, joined.
  std::string Screen() const { return Sh(Tmux() + " capture-pane -p -J -S -2000 -t 0"); }
  // Waits up to 20 s for `text` on the screen.
  bool WaitFor(const std::string& text) const {
    for (int i = 0; i < 200; ++i) {
      if (Screen().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

 private:
  std::string Tmux() const { return "tmux -S " + Quoted(socket_); }
  std::string socket_;
};

bool HaveTmux() { return Sh("command -v tmux").find("tmux") != std::string::npos; }

fs::path DemoElf() { return BuildDir() / "firmware" / "qemu_demo.elf"; }

constexpr const char* kListHeader =
    " PID    ShortID    Name                Quanta  Syscalls  Restarts  Grants  State";

class ConsoleTmux : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTmux()) GTEST_SKIP() << "tmux is not installed (scripts/deps installs it)";
    if (!fs::exists(DemoElf())) GTEST_SKIP() << "demo firmware not built: " << DemoElf();
    auto flash = ws_.Tockctl({"flash", DemoElf().string(), "--board", "qemu_rv32_virt"});
    ASSERT_EQ(flash.exit_code, 0) << flash.err;
  }
  void TearDown() override { ws_.Tockctl({"qemu", "stop"}); }

  // A command that prints "modes: " and the pane's icanon, isig and echo settings as `stty -a`
  // gives them ("-icanon" when off).
  std::string TerminalModes() const {
    const fs::path script = ws_.dir() / "modes.sh";
    std::ofstream(script) << "printf 'modes: '; stty -a | tr ' ;' '\\n\\n' | "
                             "grep -E '^-?(icanon|echo|isig)$' | tr '\\n' ' '; echo\n";
    return "sh " + script.string();
  }

  std::string Console(const std::string& args) const {
    return std::string(TOCKCTL_BINARY) + " console --qemu " + args;
  }

  DemoWorkspace ws_;
};

TEST_F(ConsoleTmux, ListAndStatusAnswerQuitKeyEndsWithExit0AndACookedTerminal) {
  TmuxPane pane(ws_);
  pane.TypeLine(Console("--no-records") + "; echo EXIT=$?");
  ASSERT_TRUE(pane.WaitFor("Ctrl-] quits, Ctrl-C goes to the device")) << pane.Screen();
  pane.TypeLine("list");
  ASSERT_TRUE(pane.WaitFor(kListHeader)) << pane.Screen();
  for (const char* row :
       {" 0      Unique     net_service     ", " 1      Unique     sensor_client   ",
        " 2      Unique     logger_client   ", " 3      Unique     rpc_client      "}) {
    EXPECT_TRUE(pane.WaitFor(row)) << row << "\n" << pane.Screen();
  }
  pane.TypeLine("status");
  EXPECT_TRUE(pane.WaitFor("tock$ status\nTotal processes: 4\nActive processes: "))
      << pane.Screen();
  pane.SendKeys("C-]");
  ASSERT_TRUE(pane.WaitFor("EXIT=0")) << pane.Screen();
  pane.TypeLine(TerminalModes());
  EXPECT_TRUE(pane.WaitFor("modes: isig icanon echo ")) << pane.Screen();
}

TEST_F(ConsoleTmux, SigtermRestoresTheTerminalAndRecordsShowAsTraceLines) {
  TmuxPane pane(ws_);
  const fs::path pid_file = ws_.dir() / "console.pid";
  const fs::path script = ws_.dir() / "console.sh";
  std::ofstream(script) << "echo $$ > " << pid_file.string() << "; exec " << Console("") << "\n";
  pane.TypeLine("sh " + script.string() + "; echo EXIT=$?");
  ASSERT_TRUE(pane.WaitFor("Ctrl-] quits")) << pane.Screen();
  EXPECT_TRUE(pane.WaitFor("[trace] ")) << pane.Screen();
  std::string pid;
  std::ifstream(pid_file) >> pid;
  ASSERT_FALSE(pid.empty());
  Sh("kill -TERM " + pid);
  ASSERT_TRUE(pane.WaitFor("EXIT=0")) << pane.Screen();
  pane.TypeLine(TerminalModes());
  EXPECT_TRUE(pane.WaitFor("modes: isig icanon echo ")) << pane.Screen();
}

// Scripts: `status` piped in, the reply on stdout between the echo and the next prompt.
TEST_F(ConsoleTmux, PipedStatusIsAnsweredByTheDemoFirmwareOnQemu) {
  const std::string out =
      Sh("printf 'status\\r' | TOCKCTL_RUNTIME_DIR=" + ws_.runtime_dir().string() + " " +
         Console("--no-records --duration 2") + " 2>/dev/null");
  const std::string reply = "status\r\nTotal processes: 4\r\nActive processes: ";
  const size_t at = out.find(reply);
  ASSERT_NE(at, std::string::npos) << out;
  const size_t end = out.find("tock$ ", at);
  ASSERT_NE(end, std::string::npos) << out;
  const std::string active = out.substr(at + reply.size(), 1);
  EXPECT_TRUE(active == "4" || active == "3") << out;  // one may be faulted, waiting to restart
  EXPECT_EQ(out.substr(at + reply.size() + 1, end - at - reply.size() - 1),
            "\r\nTimeslice expirations: 0\r\n");
}

// Like `tockctl trace --qemu`, the console follows a QEMU that `tockctl flash` restarts: one line
// when the link goes, one when the new QEMU's UART is read.
TEST_F(ConsoleTmux, FollowsAQemuRestartedByFlash) {
  testing::BackgroundProcess console({TOCKCTL_BINARY, "console", "--qemu", "--no-records"},
                                     ws_.Env(), ws_.dir(), "console");
  ASSERT_TRUE(console.WaitForStderr("Ctrl-] (0x1d) in it or Ctrl-C quits\n", milliseconds(20000)))
      << console.Stderr();
  auto flash = ws_.Tockctl({"flash", DemoElf().string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(flash.exit_code, 0) << flash.err;
  ASSERT_TRUE(console.WaitForStderr("console: link up: QEMU restarted; reading QEMU UART tcp ",
                                    milliseconds(20000)))
      << console.Stderr();
  EXPECT_NE(console.Stderr().find(": the peer closed the connection; reconnecting\n"),
            std::string::npos)
      << console.Stderr();
  console.Signal(SIGTERM);
  EXPECT_EQ(console.Wait(milliseconds(20000)), 0);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
