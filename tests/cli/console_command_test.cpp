// `tockctl console` through ptys: a pty pair plays the device (paced at 115200 baud) and a second
// pty is tockctl's terminal, so raw mode, the quit key and the restored settings are real.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::CliRun;
using testing::PtyPair;
using testing::RunTockctl;
using testing::SourceDir;
using testing::TempDir;

constexpr uint32_t kBaud = 115200;

using ::tockctl::testing::Slurp;

using ::tockctl::testing::WaitFor;

std::string Fixture(const std::string& name) {
  return (SourceDir() / "tests/fixtures/trace" / name).string();
}

// A cooked terminal (as a shell leaves it) for tockctl's standard input.
class Terminal {
 public:
  const std::string& slave_path() const { return pty_.slave_path(); }
  termios Settings() const {
    termios t{};
    ::tcgetattr(pty_.master(), &t);
    return t;
  }
  void Type(const std::string& keys) const { pty_.Write(keys); }
  // What tockctl echoed on the terminal is not read; drain it so the pty never fills.
  void Drain() const {
    char buf[4096];
    while (::read(pty_.master(), buf, sizeof buf) > 0) {
    }
  }

 private:
  PtyPair pty_{{.raw = false}};
};

// `tockctl console ARGS` with standard input from `input_path` (a terminal or a file) as the
// controlling terminal's session leader would run it; stdout and stderr into files.
class ConsoleProcess {
 public:
  ConsoleProcess(const TempDir& dir, const std::vector<std::string>& args,
                 const std::string& input_path)
      : out_(dir.path() / "console.out"), err_(dir.path() / "console.err") {
    pid_ = ::fork();
    if (pid_ == 0) RunChild(args, input_path);
  }
  ~ConsoleProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  std::string Out() const { return Slurp(out_); }
  std::string Err() const { return Slurp(err_); }
  void Signal(int sig) const { ::kill(pid_, sig); }
  // The exit code, or -1 if it did not end within 20 s.
  int Wait() {
    for (int i = 0; i < 400 && !exit_code_; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      } else {
        std::this_thread::sleep_for(milliseconds(50));
      }
    }
    return exit_code_.value_or(-1);
  }

 private:
  [[noreturn]] void RunChild(const std::vector<std::string>& args, const std::string& input) {
    ::setsid();
    const int in = ::open(input.c_str(), O_RDWR);  // a terminal becomes the controlling one
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setenv("NO_COLOR", "1", 1);
    ::setenv("TOCKCTL_DATA_DIR", SourceDir().c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(TOCKCTL_BINARY), const_cast<char*>("console")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(TOCKCTL_BINARY, argv.data());
    ::_exit(127);
  }

  fs::path out_;
  fs::path err_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Reads what the device received until `expected` bytes came (or `tries` × 50 ms passed).
std::string DeviceReads(const PtyPair& device, size_t expected, int tries = 200) {
  std::string got;
  for (int i = 0; i < tries && got.size() < expected; ++i) {
    char buf[256];
    const ssize_t n = ::read(device.master(), buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    if (n <= 0) std::this_thread::sleep_for(milliseconds(50));
  }
  return got;
}

std::vector<uint8_t> Bytes(const std::string& path) {
  const std::string text = Slurp(path);
  return {text.begin(), text.end()};
}

std::string FromHex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return bytes;
}

// What the console shows for `fixture` (with records): its console text as is, and each record
// as the line `tockctl trace` prints for it, marked "[trace] " and on a line of its own. The
// order comes from trace's JSON Lines, the record lines from its text view.
std::string ConsoleView(const std::string& fixture, bool records = true) {
  CliRun text = RunTockctl({"-q", "trace", "--replay", Fixture(fixture)});
  CliRun json = RunTockctl({"-q", "trace", "--replay", Fixture(fixture), "--format", "json"});
  std::istringstream text_lines(text.out);
  std::istringstream json_lines(json.out);
  std::string line;
  std::string view;
  while (std::getline(json_lines, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("type", "") == "console") {
      view += j.contains("data") ? FromHex(j["data"]) : j["text"].get<std::string>();
      continue;
    }
    std::string record;
    do {
      std::getline(text_lines, record);
    } while (record.rfind("                console        |", 0) == 0 ||
             record.find("TIME(s)") != std::string::npos);  // the header: not in the console
    if (!records) continue;
    if (!view.empty() && view.back() != '\n') view += '\n';
    view += "[trace] " + record + "\n";
  }
  return view;
}

std::string HelpLine(const std::string& port) {
  return "console: serial " + port + " @115200; Ctrl-] quits, Ctrl-C goes to the device\n";
}

bool SameMode(const termios& a, const termios& b) {
  return a.c_lflag == b.c_lflag && a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag;
}

TEST(ConsoleCommand, KeysReachTheDeviceRepliesAndRecordsComeBackQuitKeyRestoresTheTerminal) {
  TempDir dir;
  PtyPair device({.nonblocking_master = true});
  Terminal terminal;
  const termios cooked = terminal.Settings();
  ASSERT_TRUE(cooked.c_lflag & ICANON);
  ConsoleProcess console(dir, {"--serial", device.slave_path()}, terminal.slave_path());
  ASSERT_TRUE(WaitFor([&] { return !console.Err().empty(); })) << console.Err();
  EXPECT_EQ(console.Err(), HelpLine(device.slave_path()));
  EXPECT_FALSE(terminal.Settings().c_lflag & (ICANON | ECHO | ISIG));

  terminal.Type("list\r\x03");  // Ctrl-C is a key like any other: it goes to the device
  EXPECT_EQ(DeviceReads(device, 6), "list\r\x03");
  device.WritePaced(Bytes(Fixture("mixed.bin")), kBaud);  // boot banner, prompt, frames, replies
  const std::string expected = ConsoleView("mixed.bin");
  ASSERT_TRUE(WaitFor([&] { return console.Out() == expected; })) << console.Out();

  terminal.Type("\x1d");
  EXPECT_EQ(console.Wait(), 0) << console.Err();
  EXPECT_EQ(console.Out(), expected + "\n");
  EXPECT_EQ(console.Err(), HelpLine(device.slave_path()));
  EXPECT_TRUE(SameMode(terminal.Settings(), cooked));
  EXPECT_EQ(DeviceReads(device, 1, 10), "");  // the quit key itself is not sent
}

TEST(ConsoleCommand, NoRecordsHidesTheTraceRecordsButNoConsoleText) {
  TempDir dir;
  PtyPair device({.nonblocking_master = true});
  Terminal terminal;
  ConsoleProcess console(dir, {"--serial", device.slave_path(), "--no-records"},
                         terminal.slave_path());
  ASSERT_TRUE(WaitFor([&] { return !console.Err().empty(); })) << console.Err();
  device.WritePaced(Bytes(Fixture("mixed.bin")), kBaud);
  const std::string expected = ConsoleView("mixed.bin", false);
  ASSERT_EQ(expected.find("[trace]"), std::string::npos);
  ASSERT_TRUE(WaitFor([&] { return console.Out() == expected; })) << console.Out();
  terminal.Type("\x1d");
  EXPECT_EQ(console.Wait(), 0);
}

// Each line starts with "[HH:MM:SS.mmm] ", and -o writes a pcapng file with the console text in
// it, as `tockctl trace -o` does; an existing file is not replaced without --force.
TEST(ConsoleCommand, TimestampsPrefixEveryLineAndWriteCapturesThePcapng) {
  TempDir dir;
  PtyPair device;
  Terminal terminal;
  const fs::path capture = dir.path() / "console.pcapng";
  ConsoleProcess console(dir,
                         {"--serial", device.slave_path(), "--timestamps", "-o", capture.string()},
                         terminal.slave_path());
  ASSERT_TRUE(WaitFor([&] { return !console.Err().empty(); })) << console.Err();
  device.WritePaced(Bytes(Fixture("mixed.bin")), kBaud);
  const std::string plain = ConsoleView("mixed.bin");
  ASSERT_TRUE(WaitFor([&] { return console.Out().size() >= plain.size(); })) << console.Out();
  terminal.Type("\x1d");
  EXPECT_EQ(console.Wait(), 0) << console.Err();
  std::istringstream lines(console.Out());
  std::string stripped;
  for (std::string line; std::getline(lines, line);) {
    ASSERT_GE(line.size(), 15u) << line;
    EXPECT_EQ(line[0], '[') << line;
    EXPECT_EQ(line.substr(9, 1) + line.substr(13, 2), ".] ") << line;
    stripped += line.substr(15) + "\n";
  }
  EXPECT_EQ(stripped, plain + "\n");
  const std::string pcapng = Slurp(capture);
  ASSERT_GE(pcapng.size(), 4u);
  EXPECT_EQ(pcapng.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));  // section header block
  EXPECT_NE(pcapng.find("Initialization complete. Entering main loop"), std::string::npos);
  CliRun again = RunTockctl({"console", "--serial", device.slave_path(), "-o", capture.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.err, "error: " + capture.string() +
                           ": already exists; not overwriting it; use --force to replace it, or "
                           "choose another -o FILE\n");
}

TEST(ConsoleCommand, SigtermEndsItWithTheTerminalRestored) {
  TempDir dir;
  PtyPair device;
  Terminal terminal;
  const termios cooked = terminal.Settings();
  ConsoleProcess console(dir, {"--serial", device.slave_path()}, terminal.slave_path());
  ASSERT_TRUE(WaitFor([&] { return !console.Err().empty(); })) << console.Err();
  ASSERT_FALSE(terminal.Settings().c_lflag & ICANON);
  console.Signal(SIGTERM);
  EXPECT_EQ(console.Wait(), 0);
  EXPECT_TRUE(SameMode(terminal.Settings(), cooked));
}

TEST(ConsoleCommand, PipedInputIsSentAsIsAndAQuitKeyInItEndsTheConsole) {
  TempDir dir;
  PtyPair device({.nonblocking_master = true});
  const fs::path keys = dir.Write("keys", "status\r\x1dnot sent");
  ConsoleProcess console(dir, {"--serial", device.slave_path()}, keys.string());
  EXPECT_EQ(console.Wait(), 0);
  EXPECT_EQ(DeviceReads(device, 7), "status\r");
  EXPECT_EQ(console.Err(),
            "console: serial " + device.slave_path() +
                " @115200; sending standard input; Ctrl-] (0x1d) in it or Ctrl-C quits\n");
}

TEST(ConsoleCommand, ADeviceThatGoesAwayWithNoReconnectEndsWithOneLineAndExit5) {
  TempDir dir;
  PtyPair device;
  Terminal terminal;
  const termios cooked = terminal.Settings();
  ConsoleProcess console(dir, {"--serial", device.slave_path(), "--no-reconnect"},
                         terminal.slave_path());
  ASSERT_TRUE(WaitFor([&] { return !console.Err().empty(); })) << console.Err();
  device.CloseMaster();
  EXPECT_EQ(console.Wait(), 5);
  EXPECT_EQ(console.Err(), HelpLine(device.slave_path()) + "error: serial port " +
                               device.slave_path() +
                               " disappeared (the line hung up); reconnect it and run tockctl "
                               "console again (without --no-reconnect it waits)\n");
  EXPECT_TRUE(SameMode(terminal.Settings(), cooked));
}

TEST(ConsoleCommand, UsageErrorsAreOneLineEach) {
  CliRun none = RunTockctl({"console"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err,
            "error: no device given; use one of --serial PATH, --usb VID:PID[:SERIAL], --tcp "
            "HOST:PORT or --qemu\n");
  CliRun stdout_capture = RunTockctl({"console", "--tcp", "127.0.0.1:9", "-o", "-"});
  EXPECT_EQ(stdout_capture.exit_code, 2);
  EXPECT_EQ(stdout_capture.err,
            "error: -o - would write the capture to standard output, where the console is; write "
            "the capture to a file\n");
  CliRun listen = RunTockctl({"listen", "--tcp", "127.0.0.1:1", "--no-reconnect"});
  EXPECT_EQ(listen.exit_code, 5);
  EXPECT_EQ(listen.err,
            "error: cannot connect to 127.0.0.1:1: connection refused (127.0.0.1:1: connect); "
            "check that the server (QEMU, a gdb server) is running and listening on 127.0.0.1:1\n");
}

// --until matches text that arrives in two pieces (a pause longer than the console's 25 ms flush
// between them) and ends the console with exit 0 long before --duration.
TEST(ConsoleCommand, UntilMatchesAcrossPiecesAndEndsWithExitZero) {
  TempDir dir;
  PtyPair device;
  ConsoleProcess console(
      dir, {"--serial", device.slave_path(), "--until", "tock$ ", "--duration", "60"}, "/dev/null");
  ASSERT_TRUE(WaitFor([&] { return !console.Err().empty(); })) << console.Err();
  device.WritePaced(std::vector<uint8_t>{'t', 'o', 'c'}, kBaud);
  ASSERT_TRUE(WaitFor([&] { return console.Out() == "toc"; })) << console.Out();
  device.WritePaced(std::vector<uint8_t>{'k', '$', ' ', 'x'}, kBaud);
  EXPECT_EQ(console.Wait(), 0) << console.Err();
  EXPECT_EQ(console.Out().rfind("tock$ ", 0), 0u) << console.Out();
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
