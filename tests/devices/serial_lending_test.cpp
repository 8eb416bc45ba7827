// Lending a serial port: the lock file that says a holder lends, the borrow file a job holds, and
// OpenSerialPort inside a loan scope, with holder and job on ptys in this process (a second open
// file description is refused by flock exactly as a second process is).
#include "devices/serial_lending.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "devices/serial_port.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::tockctl::testing::PtyPair;
using ::tockctl::testing::Slurp;
using ::tockctl::testing::TempDir;
using ::tockctl::testing::WaitFor;

spdlog::logger& Quiet() {
  static auto log =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  return *log;
}

std::string Me() {
  std::ifstream in("/proc/self/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

const std::string kPid = std::to_string(::getpid());

std::unique_ptr<SerialPort> OpenAs(const TempDir& dir, const PtyPair& pty,
                                   const std::string& lends_as) {
  SerialOpenAttempt attempt =
      OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet(), lends_as);
  EXPECT_TRUE(attempt.port) << (attempt.error ? attempt.error->Describe() : "");
  return std::move(attempt.port);
}

TEST(SerialLendingTest, TheLockFileSaysThatTheHolderLendsThePortAndAs) {
  TempDir dir;
  PtyPair pty;
  auto port = OpenAs(dir, pty, "console");
  const fs::path lock = SerialLockFilePath(dir.path(), pty.slave_path());
  EXPECT_EQ(Slurp(lock), kPid + "\nlends console\n");
  std::optional<SerialLockHolder> holder = ReadSerialLockHolder(lock);
  ASSERT_TRUE(holder);
  EXPECT_EQ(holder->lends_as, "console");
  EXPECT_EQ(holder->Describe(), Me() + " console, pid " + kPid);
  port.reset();
  EXPECT_FALSE(ReadSerialLockHolder(lock));  // the file went with the port
}

TEST(SerialLendingTest, ABorrowIsSeenWhileTheJobHoldsItAndNotAfter) {
  TempDir dir;
  PtyPair pty;
  const fs::path file = SerialBorrowFilePath(dir.path(), pty.slave_path());
  EXPECT_EQ(file.extension(), ".borrow");
  EXPECT_EQ(file.stem(), SerialLockFilePath(dir.path(), pty.slave_path()).stem());
  EXPECT_FALSE(ActiveSerialBorrower(dir.path(), pty.slave_path()));
  {
    SerialLoanScope scope("flash");
    EXPECT_EQ(SerialLoanScope::Active(), &scope);
    ASSERT_TRUE(scope.Borrow(dir.path(), pty.slave_path(), Quiet()));
    ASSERT_TRUE(scope.Borrow(dir.path(), pty.slave_path(), Quiet()));  // once per port
    EXPECT_EQ(scope.borrowed(), 1u);
    EXPECT_EQ(ActiveSerialBorrower(dir.path(), pty.slave_path()), Me() + " flash, pid " + kPid);
  }
  EXPECT_EQ(SerialLoanScope::Active(), nullptr);
  EXPECT_FALSE(ActiveSerialBorrower(dir.path(), pty.slave_path()));
  EXPECT_FALSE(fs::exists(file));
}

TEST(SerialLendingTest, ABorrowFileNobodyHoldsLockedIsStale) {
  TempDir dir;
  PtyPair pty;
  std::ofstream(SerialBorrowFilePath(dir.path(), pty.slave_path())) << kPid << "\nflash\n";
  EXPECT_FALSE(ActiveSerialBorrower(dir.path(), pty.slave_path()));
  SerialLoanScope scope("flash");  // and a new job takes it over
  EXPECT_TRUE(scope.Borrow(dir.path(), pty.slave_path(), Quiet()));
  EXPECT_TRUE(ActiveSerialBorrower(dir.path(), pty.slave_path()));
}

TEST(SerialLendingTest, InsideAScopeAPortHeldByALenderOpensOnceTheLenderLetsGo) {
  TempDir dir;
  PtyPair pty;
  auto holder = OpenAs(dir, pty, "console");
  std::atomic<bool> lent{false};
  std::thread lender([&] {  // what SerialSource does: see the borrow, close the port
    WaitFor([&] { return ActiveSerialBorrower(dir.path(), pty.slave_path()).has_value(); });
    holder.reset();
    lent = true;
  });
  SerialLoanScope scope("flash", milliseconds(10'000));
  SerialOpenAttempt job = OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet());
  lender.join();
  ASSERT_TRUE(job.port) << job.error->Describe();
  EXPECT_TRUE(lent);
  EXPECT_EQ(Slurp(SerialLockFilePath(dir.path(), pty.slave_path())), kPid + "\n");  // no lending
  pty.Write("hi");
  std::vector<uint8_t> buf(8);
  EXPECT_EQ(job.port->Read(buf, milliseconds(2000)).bytes, 2u);
}

TEST(SerialLendingTest, AHolderThatNeverLetsGoIsNamedAfterTheWait) {
  TempDir dir;
  PtyPair pty;
  auto holder = OpenAs(dir, pty, "console");
  SerialLoanScope scope("flash", milliseconds(300));
  SerialOpenAttempt job = OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet());
  ASSERT_FALSE(job.port);
  EXPECT_TRUE(job.busy);
  EXPECT_EQ(job.error->message(), Me() + " console, pid " + kPid + " holds serial port " +
                                      pty.slave_path() + " and did not let go within 0.3 s");
  EXPECT_EQ(job.error->hint(), "if it is stopped (Ctrl-Z), resume it with fg; or end it");
}

TEST(SerialLendingTest, AHolderThatDoesNotLendIsNotAskedAndNothingIsBorrowedOutsideAScope) {
  TempDir dir;
  PtyPair pty;
  auto plain = OpenAs(dir, pty, "");
  {
    SerialLoanScope scope("flash");
    SerialOpenAttempt job = OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet());
    ASSERT_FALSE(job.port);
    EXPECT_EQ(job.error->message(),
              "serial port " + pty.slave_path() + " is in use by " + Me() + ", pid " + kPid);
    EXPECT_EQ(scope.borrowed(), 0u);
  }
  plain.reset();
  auto lender = OpenAs(dir, pty, "console");
  SerialOpenAttempt job = OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet());
  ASSERT_FALSE(job.port);
  EXPECT_EQ(job.error->message(),
            "serial port " + pty.slave_path() + " is in use by " + Me() + " console, pid " + kPid);
  EXPECT_FALSE(ActiveSerialBorrower(dir.path(), pty.slave_path()));
}

TEST(SerialLendingTest, ALenderNeverBorrows) {
  TempDir dir;
  PtyPair pty;
  auto first = OpenAs(dir, pty, "console");
  SerialLoanScope scope("flash", milliseconds(300));
  SerialOpenAttempt second = OpenSerialPort(pty.slave_path(), 115200, dir.path(), Quiet(), "trace");
  ASSERT_FALSE(second.port);
  EXPECT_EQ(second.error->message(),
            "serial port " + pty.slave_path() + " is in use by " + Me() + " console, pid " + kPid);
  EXPECT_EQ(scope.borrowed(), 0u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
