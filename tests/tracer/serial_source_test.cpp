#include "tracer/serial_source.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/error.h"
#include "common/file_io.h"
#include "devices/serial_lending.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::CountingBytes;
using testing::ReadUntil;
using testing::TestLogger;
using testing::WaitForStatus;
using ::tockctl::testing::PtyPair;
using ::tockctl::testing::TempDir;

constexpr milliseconds kPatience{10'000};  // generous: the machine may be busy

// Options for a test port: lock files and sysfs inside `dir`, quick reconnect polling.
SerialOptions TestOptions(const TempDir& dir, const fs::path& path) {
  SerialOptions options;
  options.path = path;
  options.lock_dir = dir.path() / "lock";
  options.sysfs_root = dir.path() / "sys";
  options.dev_dir = dir.path() / "dev";
  options.reconnect_interval = milliseconds(10);
  fs::create_directories(options.lock_dir);
  fs::create_directories(options.sysfs_root);
  fs::create_directories(options.dev_dir);
  return options;
}

// Points the symlink `link` at `target`, replacing it atomically (like udev re-creating a node).
void PointLink(const fs::path& link, const fs::path& target) {
  fs::path tmp = link;
  tmp += ".new";
  fs::remove(tmp);
  fs::create_symlink(target, tmp);
  fs::rename(tmp, link);
}

std::string ProcessName(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

TEST(SerialSourceTest, ReadsEveryBytePacedAt115200BaudInOrder) {
  TempDir dir;
  PtyPair pty;
  SerialSource source(TestOptions(dir, pty.slave_path()), TestLogger());
  EXPECT_EQ(source.Describe(), "serial " + pty.slave_path() + " @115200");
  auto bytes = CountingBytes(11'520);  // one second of a 115200-baud UART
  std::thread writer([&] { pty.WritePaced(bytes, 115'200); });
  auto got = ReadUntil(source, bytes.size(), kPatience, 256);
  writer.join();
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(got.bytes, bytes);
}

TEST(SerialSourceTest, NonStandardBaudRateIsAccepted) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  options.baud = 250'000;
  SerialSource source(options, TestLogger());
  EXPECT_EQ(source.Describe(), "serial " + pty.slave_path() + " @250000");
  pty.Write(std::string("\x00\x11\x13\r\n\x7f", 6));
  auto got = ReadUntil(source, 6, kPatience);
  EXPECT_EQ(got.bytes, (std::vector<uint8_t>{0x00, 0x11, 0x13, '\r', '\n', 0x7f}));
}

TEST(SerialSourceTest, SecondOpenOfTheSamePortIsRefusedNamingTheHolder) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  SerialSource first(options, TestLogger());
  try {
    SerialSource second(options, TestLogger());
    FAIL() << "second open succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "serial port " + pty.slave_path() + " is in use by " +
                                ProcessName(::getpid()) + ", pid " + std::to_string(::getpid()) +
                                " (" + pty.slave_path() +
                                ": lock); stop the other program or use another port");
  }
}

TEST(SerialSourceTest, LockFileNamesOurPidAndGoesAwayOnClose) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  fs::path lock = devices::SerialLockFilePath(options.lock_dir, pty.slave_path());
  std::string slave_name = pty.slave_path().substr(1);
  std::replace(slave_name.begin(), slave_name.end(), '/', '_');
  EXPECT_EQ(lock, options.lock_dir / ("tockctl-" + slave_name + ".lock"));
  {
    SerialSource source(options, TestLogger());
    EXPECT_EQ(ReadFile(lock), std::to_string(::getpid()) + "\n");
  }
  EXPECT_FALSE(fs::exists(lock));
  SerialSource again(options, TestLogger());  // the port is free again
}

TEST(SerialSourceTest, PortHeldByAnotherProcessIsRefusedNamingThatProcess) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds the port until killed
    devices::SerialOpenAttempt held =
        devices::OpenSerialPort(options.path, 115200, options.lock_dir, *TestLogger());
    char ok = held.port ? 'y' : 'n';
    (void)!::write(ready[1], &ok, 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  EXPECT_EQ(ok, 'y');
  std::string message;
  try {
    SerialSource source(options, TestLogger());
  } catch (const Error& e) {
    message = e.message();
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(message, "serial port " + pty.slave_path() + " is in use by " +
                         ProcessName(::getpid()) + ", pid " + std::to_string(child));
}

TEST(SerialSourceTest, MissingPortIsATransportErrorWithAHint) {
  TempDir dir;
  fs::path path = dir.path() / "ttyNOPE";
  try {
    SerialSource source(TestOptions(dir, path), TestLogger());
    FAIL() << "opened a missing port";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "cannot open serial port " + path.string() +
                                ": No such file or directory (" + path.string() +
                                ": open); check the path; ls /dev/serial/by-id/ lists USB serial "
                                "ports");
  }
}

TEST(SerialSourceTest, RegularFileIsNotASerialPort) {
  TempDir dir;
  fs::path path = dir.Write("notatty", "x");
  try {
    SerialSource source(TestOptions(dir, path), TestLogger());
    FAIL() << "opened a regular file";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), path.string() + " is not a serial port (not a terminal device)");
  }
}

TEST(SerialSourceTest, DeviceGoneReportsDisconnectedOnceThenANewDeviceAtThePathReconnects) {
  TempDir dir;
  auto first = std::make_unique<PtyPair>();
  fs::path link = dir.path() / "ttyTRACE";
  PointLink(link, first->slave_path());
  SerialSource source(TestOptions(dir, link), TestLogger());
  first->Write("before");
  EXPECT_EQ(ReadUntil(source, 6, kPatience).bytes,
            std::vector<uint8_t>({'b', 'e', 'f', 'o', 'r', 'e'}));

  first->CloseMaster();  // the device is gone; /dev/pts/N disappears
  ReadResult gone = WaitForStatus(source, ReadStatus::kDisconnected, kPatience);
  EXPECT_EQ(gone.detail, "serial port " + link.string() +
                             " disappeared (the line hung up); waiting for it to come back");
  // As udev does, the node goes away with the device. Without this the link would dangle at
  // /dev/pts/N, a number that a pty of another test running in parallel may take.
  fs::remove(link);
  std::vector<uint8_t> buf(64);
  EXPECT_EQ(source.Read(buf, milliseconds(30)).status, ReadStatus::kTimeout);  // reported once

  PtyPair second;  // a new device appears at the same path (re-enumeration)
  PointLink(link, second.slave_path());
  ReadResult back = WaitForStatus(source, ReadStatus::kReconnected, kPatience);
  EXPECT_EQ(back.detail, "serial port " + link.string() + " is back");
  second.Write("after");
  EXPECT_EQ(ReadUntil(source, 5, kPatience).bytes, std::vector<uint8_t>({'a', 'f', 't', 'e', 'r'}));
}

TEST(SerialSourceTest, APathThatVanishesWhileTheDeviceStaysOpenIsADisconnect) {
  TempDir dir;
  PtyPair pty;
  fs::path link = dir.path() / "ttyGONE";
  PointLink(link, pty.slave_path());
  SerialSource source(TestOptions(dir, link), TestLogger());
  fs::remove(link);  // udev removed the node; the open fd has not failed (yet)
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kDisconnected, kPatience).detail,
            "serial port " + link.string() + " disappeared (" + link.string() +
                " vanished); waiting for it to come back");
}

TEST(SerialSourceTest, APathNowNamingAnotherDeviceIsFollowed) {
  TempDir dir;
  PtyPair old_device;
  PtyPair new_device;
  fs::path link = dir.path() / "ttySWAP";
  PointLink(link, old_device.slave_path());
  SerialSource source(TestOptions(dir, link), TestLogger());
  PointLink(link, new_device.slave_path());
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kDisconnected, kPatience).detail,
            "serial port " + link.string() + " disappeared (" + link.string() +
                " now names another device); waiting for it to come back");
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "serial port " + link.string() + " is back");
  old_device.Write("old");
  new_device.Write("new");
  EXPECT_EQ(ReadUntil(source, 3, kPatience).bytes, std::vector<uint8_t>({'n', 'e', 'w'}));
}

TEST(SerialSourceTest, WithoutReconnectADisappearingDeviceEndsTheStream) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  options.reconnect = false;
  SerialSource source(options, TestLogger());
  pty.CloseMaster();
  ReadResult end = WaitForStatus(source, ReadStatus::kEnd, kPatience);
  EXPECT_EQ(end.detail, "serial port " + pty.slave_path() + " disappeared (the line hung up)");
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(source.Read(buf, milliseconds(0)).status, ReadStatus::kEnd);
}

// `tockctl flash` on the port (a loan scope in this process stands in for it): the source lets go
// within its check interval, reads nothing while the job holds the port, and takes it back when
// the job ends, even with reconnect off; the bytes sent after that arrive.
TEST(SerialSourceTest, LendsThePortToAJobThatAsksAndTakesItBackWhenTheJobEnds) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  options.reconnect = false;
  options.lends_as = "console";
  SerialSource source(options, TestLogger());
  const fs::path lock = devices::SerialLockFilePath(options.lock_dir, pty.slave_path());
  EXPECT_EQ(ReadFile(lock), std::to_string(::getpid()) + "\nlends console\n");
  const std::string job = ProcessName(::getpid()) + " flash, pid " + std::to_string(::getpid());
  {
    devices::SerialLoanScope scope("flash", milliseconds(10'000));
    std::unique_ptr<devices::SerialPort> borrowed;
    std::thread flash([&] {
      borrowed =
          devices::OpenSerialPortOrThrow(pty.slave_path(), 115200, options.lock_dir, *TestLogger());
    });
    ReadResult lent = WaitForStatus(source, ReadStatus::kDisconnected, kPatience);
    flash.join();
    ASSERT_TRUE(borrowed);
    EXPECT_EQ(lent.detail,
              "serial port " + pty.slave_path() + " lent to " + job + "; waiting for it back");
    pty.Write("for the job");
    std::vector<uint8_t> buf(64);
    EXPECT_EQ(source.Read(buf, milliseconds(100)).status, ReadStatus::kTimeout);
    EXPECT_EQ(borrowed->Read(buf, milliseconds(2000)).bytes, 11u);  // the job reads alone
    EXPECT_THROW(source.Write(std::vector<uint8_t>{'x'}), Error);
  }
  ReadResult back = WaitForStatus(source, ReadStatus::kReconnected, kPatience);
  EXPECT_EQ(back.detail, "serial port " + pty.slave_path() + " is back from " + job);
  EXPECT_EQ(ReadFile(lock), std::to_string(::getpid()) + "\nlends console\n");
  pty.Write("after");
  testing::Collected after = ReadUntil(source, 5, kPatience);
  EXPECT_EQ(std::string(after.bytes.begin(), after.bytes.end()), "after");
}

// A job that dies holding the port (its flock goes with it) gives the port back all the same.
TEST(SerialSourceTest, TakesThePortBackFromAJobThatDied) {
  TempDir dir;
  PtyPair pty;
  SerialOptions options = TestOptions(dir, pty.slave_path());
  options.lends_as = "trace";
  SerialSource source(options, TestLogger());
  const pid_t job = ::fork();
  ASSERT_GE(job, 0);
  if (job == 0) {
    devices::SerialLoanScope scope("flash", milliseconds(10'000));
    auto port =
        devices::OpenSerialPortOrThrow(pty.slave_path(), 115200, options.lock_dir, *TestLogger());
    ::pause();  // killed holding both
  }
  WaitForStatus(source, ReadStatus::kDisconnected, kPatience);
  ::kill(job, SIGKILL);
  ::waitpid(job, nullptr, 0);
  ReadResult back = WaitForStatus(source, ReadStatus::kReconnected, kPatience);
  EXPECT_NE(back.detail.find(" is back from "), std::string::npos) << back.detail;
}

TEST(SerialSourceTest, WaitsForAPortThatDoesNotExistYet) {
  TempDir dir;
  fs::path link = dir.path() / "ttyLATER";
  SerialOptions options = TestOptions(dir, link);
  options.wait_for_device = true;
  SerialSource source(options, TestLogger());
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(source.Read(buf, milliseconds(20)).status, ReadStatus::kTimeout);
  PtyPair pty;
  PointLink(link, pty.slave_path());
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "serial port " + link.string() + " appeared");
  pty.Write("hi");
  EXPECT_EQ(ReadUntil(source, 2, kPatience).bytes, std::vector<uint8_t>({'h', 'i'}));
}

// A fake sysfs entry for tty `name` belonging to USB device `serial`, interface 00.
void AddSysfsTty(const fs::path& sys, const std::string& name, const std::string& serial) {
  fs::path usb = sys / "devices" / ("usb-" + serial);
  fs::create_directories(usb / "1-1:1.0");
  std::ofstream(usb / "idVendor") << "2e8a\n";
  std::ofstream(usb / "idProduct") << "000a\n";
  std::ofstream(usb / "serial") << serial << "\n";
  std::ofstream(usb / "1-1:1.0" / "bInterfaceNumber") << "00\n";
  fs::create_directories(sys / "class" / "tty" / name);
  fs::create_symlink(usb / "1-1:1.0", sys / "class" / "tty" / name / "device");
}

// Two USB serial ports in the test's /dev and sysfs: ttyACM0 of another board (serial OTHER)
// and ttyACM1 of the trace device (serial TRACE123).
struct OtherBoardAndOurs {
  explicit OtherBoardAndOurs(const SerialOptions& options) {
    PointLink(options.dev_dir / "ttyACM0", other.slave_path());
    AddSysfsTty(options.sysfs_root, "ttyACM0", "OTHER");
    PointLink(options.dev_dir / "ttyACM1", ours.slave_path());
    AddSysfsTty(options.sysfs_root, "ttyACM1", "TRACE123");
  }
  // Both boards send; `source` must read ours only.
  void ExpectReadsOurs(SerialSource& source) {
    other.Write("wrong");
    ours.Write("right");
    EXPECT_EQ(ReadUntil(source, 5, kPatience).bytes,
              std::vector<uint8_t>({'r', 'i', 'g', 'h', 't'}));
  }
  PtyPair other;
  PtyPair ours;
};

TEST(SerialSourceTest, FollowsAUsbSerialNumberWhenThePortComesBackUnderAnotherName) {
  TempDir dir;
  auto first = std::make_unique<PtyPair>();
  SerialOptions options = TestOptions(dir, dir.path() / "dev" / "ttyACM0");
  AddSysfsTty(options.sysfs_root, "ttyACM0", "TRACE123");
  PointLink(options.path, first->slave_path());
  SerialSource source(options, TestLogger());

  // Unplugged: the node and sysfs entry go away, then the pty itself.
  fs::remove(options.path);
  fs::remove_all(options.sysfs_root / "class" / "tty" / "ttyACM0");
  first->CloseMaster();
  WaitForStatus(source, ReadStatus::kDisconnected, kPatience);

  // Another board takes ttyACM0; ours comes back as ttyACM1.
  OtherBoardAndOurs ports(options);
  ReadResult back = WaitForStatus(source, ReadStatus::kReconnected, kPatience);
  EXPECT_EQ(back.detail, "serial port " + options.path.string() + " is back as " +
                             (options.dev_dir / "ttyACM1").string());
  EXPECT_EQ(source.Describe(), "serial " + (options.dev_dir / "ttyACM1").string() + " @115200");
  ports.ExpectReadsOurs(source);
}

TEST(TtyUsbIdentityTest, ReadsAcmAndUsbSerialLayouts) {
  TempDir dir;
  fs::path sys = dir.path() / "sys";
  AddSysfsTty(sys, "ttyACM3", "ABC");
  EXPECT_EQ(devices::LookUpTtyUsbIdentity(sys, "ttyACM3"),
            (devices::TtyUsbIdentity{"2e8a", "000a", "ABC", "00"}));
  // ttyUSB: `device` is the usb-serial port one level below the interface.
  fs::path usb = sys / "devices" / "ftdi";
  fs::create_directories(usb / "1-2:1.1" / "ttyUSB0");
  std::ofstream(usb / "idVendor") << "0403\n";
  std::ofstream(usb / "idProduct") << "6010\n";
  std::ofstream(usb / "serial") << "FT99\n";
  std::ofstream(usb / "1-2:1.1" / "bInterfaceNumber") << "01\n";
  fs::create_directories(sys / "class" / "tty" / "ttyUSB0");
  fs::create_symlink(usb / "1-2:1.1" / "ttyUSB0", sys / "class" / "tty" / "ttyUSB0" / "device");
  devices::TtyUsbIdentity ftdi{"0403", "6010", "FT99", "01"};
  EXPECT_EQ(devices::LookUpTtyUsbIdentity(sys, "ttyUSB0"), ftdi);
  EXPECT_EQ(devices::FindTtyByUsbIdentity(sys, ftdi), "ttyUSB0");
  EXPECT_EQ(devices::LookUpTtyUsbIdentity(sys, "ttyS0"), std::nullopt);
  EXPECT_EQ(devices::TtyNameOf(sys, "/dev/ttyUSB0"), "ttyUSB0");
}

TEST(SerialSourceTest, AUsbSelectorOpensTheTtyOfTheDeviceWithThatSerialNumber) {
  TempDir dir;
  SerialOptions options = TestOptions(dir, "2e8a:000a:TRACE123");
  OtherBoardAndOurs ports(options);
  SerialSource source(options, TestLogger());
  EXPECT_EQ(source.Describe(), "serial " + (options.dev_dir / "ttyACM1").string() + " @115200");
  ports.ExpectReadsOurs(source);
}

TEST(SerialSourceTest, AUsbSelectorWithoutATtyIsATransportErrorNamingTheDevice) {
  TempDir dir;
  SerialOptions options = TestOptions(dir, "0x2e8a:0xa:NOPE");
  AddSysfsTty(options.sysfs_root, "ttyACM0", "TRACE123");
  try {
    SerialSource source(options, TestLogger());
    FAIL() << "opened a port for a device that has none";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(),
              "no serial port belongs to USB device 2e8a:000a:NOPE (2e8a:000a:NOPE: find serial "
              "port); is it plugged in, with its driver (cdc_acm, ftdi_sio, ...) loaded? tockctl "
              "devices lists the serial ports with their USB ids and serial numbers");
  }
}

TEST(SerialSourceTest, AUsbSelectorMatchingSeveralTtysIsAUsageErrorListingThem) {
  TempDir dir;
  SerialOptions options = TestOptions(dir, "2e8a:000a");
  AddSysfsTty(options.sysfs_root, "ttyACM1", "B");
  AddSysfsTty(options.sysfs_root, "ttyACM0", "A");
  try {
    SerialSource source(options, TestLogger());
    FAIL() << "picked one of two boards";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    EXPECT_EQ(e.Describe(), "USB device 2e8a:000a has several serial ports: " +
                                (options.dev_dir / "ttyACM0").string() + ", " +
                                (options.dev_dir / "ttyACM1").string() +
                                " (2e8a:000a: find serial port); give the port's path, or "
                                "VID:PID:SERIAL to pick one device (tockctl devices lists them)");
  }
}

TEST(SerialSourceTest, WaitsForTheTtyOfAUsbDeviceThatIsNotPluggedInYet) {
  TempDir dir;
  SerialOptions options = TestOptions(dir, "2e8a:000a:TRACE123");
  options.wait_for_device = true;
  SerialSource source(options, TestLogger());
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(source.Read(buf, milliseconds(20)).status, ReadStatus::kTimeout);
  PtyPair pty;
  PointLink(options.dev_dir / "ttyACM2", pty.slave_path());
  AddSysfsTty(options.sysfs_root, "ttyACM2", "TRACE123");
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "serial port 2e8a:000a:TRACE123 appeared as " + (options.dev_dir / "ttyACM2").string());
  pty.Write("hi");
  EXPECT_EQ(ReadUntil(source, 2, kPatience).bytes, std::vector<uint8_t>({'h', 'i'}));
}

TEST(TtyUsbIdentityTest, APortNameIsAUsbSelectorWhenItHasNoSlashAndParsesAsOne) {
  EXPECT_EQ(devices::PortAsUsbSelector("6667:0002:TOCKACM0001"),
            (devices::UsbSelector{0x6667, 0x0002, "TOCKACM0001"}));
  EXPECT_EQ(devices::PortAsUsbSelector("6667:2"), (devices::UsbSelector{0x6667, 0x0002, {}}));
  EXPECT_EQ(devices::PortAsUsbSelector("/dev/ttyACM0"), std::nullopt);
  EXPECT_EQ(devices::PortAsUsbSelector("ttyACM0"), std::nullopt);
  EXPECT_EQ(devices::PortAsUsbSelector("./6667:0002"), std::nullopt);
}

TEST(TtyUsbIdentityTest, FindsTtysByVidPidAlsoOfDevicesWithoutASerialNumber) {
  TempDir dir;
  fs::path sys = dir.path() / "sys";
  fs::path usb = sys / "devices" / "cheap";
  fs::create_directories(usb / "1-3:1.0");
  std::ofstream(usb / "idVendor") << "1a86\n";
  std::ofstream(usb / "idProduct") << "7523\n";
  std::ofstream(usb / "1-3:1.0" / "bInterfaceNumber") << "00\n";
  fs::create_directories(sys / "class" / "tty" / "ttyUSB0");
  fs::create_symlink(usb / "1-3:1.0", sys / "class" / "tty" / "ttyUSB0" / "device");
  AddSysfsTty(sys, "ttyACM0", "ABC");
  EXPECT_EQ(devices::FindTtysByUsbSelector(sys, {0x1a86, 0x7523, {}}),
            std::vector<std::string>{"ttyUSB0"});
  EXPECT_EQ(devices::FindTtysByUsbSelector(sys, {0x1a86, 0x7523, "X"}), std::vector<std::string>{});
  EXPECT_EQ(devices::FindTtysByUsbSelector(sys, {0x2e8a, 0x000a, "ABC"}),
            std::vector<std::string>{"ttyACM0"});
  EXPECT_EQ(devices::FindUsbSerialPort(sys, "/dev", {0x2e8a, 0x000a, {}}), "/dev/ttyACM0");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
