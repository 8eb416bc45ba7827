// The one serial port: raw I/O on a pty, baud rates, modem lines, the exclusive lock every user
// holds, and when a port counts as gone.
#include "devices/serial_port.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/error.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::tockctl::testing::PtyPair;
using ::tockctl::testing::TempDir;

spdlog::logger& Quiet() {
  static auto log =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  return *log;
}

std::string ProcessName() {
  std::ifstream in("/proc/self/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

std::unique_ptr<SerialPort> Open(const TempDir& dir, const std::string& path, uint32_t baud) {
  SerialOpenAttempt attempt = OpenSerialPort(path, baud, dir.path(), Quiet());
  EXPECT_TRUE(attempt.port) << (attempt.error ? attempt.error->Describe() : "");
  return std::move(attempt.port);
}

std::string ReadText(SerialPort& port, size_t want) {
  std::string out;
  std::vector<uint8_t> buf(64);
  for (int i = 0; i < 100 && out.size() < want; ++i) {
    SerialRead got = port.Read(buf, milliseconds(100));
    if (got.status == SerialRead::Status::kGone) break;
    out.append(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(got.bytes));
  }
  return out;
}

TEST(SerialPortTest, ReadsAndWritesRawBytesAtANonStandardRate) {
  TempDir dir;
  PtyPair pty;
  auto port = Open(dir, pty.slave_path(), 250'000);
  ASSERT_TRUE(port);
  pty.Write(std::string("\x00\x11\x13\r\n", 5));
  EXPECT_EQ(ReadText(*port, 5), std::string("\x00\x11\x13\r\n", 5));
  const std::vector<uint8_t> keys{'h', 'e', 'l', 'p', '\r'};
  port->Write(keys);
  char echo[5] = {};
  ASSERT_EQ(::read(pty.master(), echo, sizeof echo), 5);
  EXPECT_EQ(std::string(echo, 5), "help\r");
  port->SetBaud(921'600);
  EXPECT_FALSE(port->SetModemLines(true, false));  // a pty has no DTR/RTS
}

TEST(SerialPortTest, ABaudRateOutsideTheRangeIsAUsageError) {
  TempDir dir;
  PtyPair pty;
  SerialOpenAttempt zero = OpenSerialPort(pty.slave_path(), 0, dir.path(), Quiet());
  ASSERT_TRUE(zero.error);
  EXPECT_EQ(zero.error->category(), ErrorCategory::kUsage);
  EXPECT_EQ(zero.error->Describe(), "unsupported baud rate 0 (" + pty.slave_path() +
                                        ": configure); use a rate from 1 to 16000000, e.g. 115200");
  EXPECT_FALSE(IsSupportedBaudRate(16'000'001));
  EXPECT_TRUE(IsSupportedBaudRate(250'000));
}

TEST(SerialPortTest, ASecondOpenerIsRefusedNamingTheHolderUntilTheFirstCloses) {
  TempDir dir;
  PtyPair pty;
  auto first = Open(dir, pty.slave_path(), 115200);
  SerialOpenAttempt second = OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet());
  ASSERT_TRUE(second.error);
  EXPECT_FALSE(second.absent);
  EXPECT_EQ(second.error->category(), ErrorCategory::kTransport);
  EXPECT_EQ(second.error->Describe(), "serial port " + pty.slave_path() + " is in use by " +
                                          ProcessName() + ", pid " + std::to_string(::getpid()) +
                                          " (" + pty.slave_path() +
                                          ": lock); stop the other program or use another port");
  pty.Write("still mine");
  EXPECT_EQ(ReadText(*first, 10), "still mine");  // the refused opener took nothing
  first.reset();
  EXPECT_TRUE(Open(dir, pty.slave_path(), 115200));
}

TEST(SerialLockFileTest, PathIsSanitised) {
  EXPECT_EQ(SerialLockFilePath("/run/lock", "/no/such/dev/tty ACM:0"),
            fs::path("/run/lock/tockctl-no_such_dev_tty_ACM_0.lock"));
}

TEST(SerialPortTest, AReadableButEmptyReadIsNotAVanishedPort) {
  // A regular file is always readable and reads nothing at its end, without a hang-up: the
  // shape of a read whose bytes another reader took first.
  TempDir dir;
  fs::path file = dir.Write("ttyFAKE", "");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  SerialPort port(file, UniqueFd(::open(file.c_str(), O_RDONLY | O_CLOEXEC)), UniqueFd(), {},
                  st.st_rdev);
  std::vector<uint8_t> buf(8);
  SerialRead empty = port.Read(buf, milliseconds(10));
  EXPECT_EQ(empty.status, SerialRead::Status::kTimeout);
  EXPECT_EQ(port.GoneReason(), "");
  fs::remove(file);
  SerialRead gone = port.Read(buf, milliseconds(10));
  EXPECT_EQ(gone.status, SerialRead::Status::kGone);
  EXPECT_EQ(gone.why, file.string() + " vanished");
}

TEST(SerialPortTest, AHungUpLineIsGoneAndWritingToItSaysSo) {
  TempDir dir;
  PtyPair pty;
  auto port = Open(dir, pty.slave_path(), 115200);
  ASSERT_TRUE(port);
  pty.CloseMaster();
  std::vector<uint8_t> buf(8);
  SerialRead got = port->Read(buf, milliseconds(1000));
  EXPECT_EQ(got.status, SerialRead::Status::kGone);
  EXPECT_NE(port->GoneReason(), "");
  try {
    port->Write(std::vector<uint8_t>{'x'});
    FAIL() << "wrote to a hung-up port";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "serial port " + pty.slave_path() +
                                " vanished; the board was unplugged or reset; reconnect it and "
                                "run the command again");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
