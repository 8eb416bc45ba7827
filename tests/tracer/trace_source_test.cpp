#include "tracer/trace_source.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::CountingBytes;
using testing::ReadUntil;
using testing::TestLogger;
using ::tockctl::testing::TempDir;

std::string UsageError(const SourceFlags& flags) {
  try {
    ParseSourceSpec(flags);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage) << e.Describe();
    return e.Describe();
  }
  return "no error";
}

TEST(ParseSourceSpecTest, SerialDefaultsTo115200AndReconnects) {
  SourceFlags flags;
  flags.serial = "/dev/ttyACM0";
  SourceSpec spec = ParseSourceSpec(flags);
  EXPECT_EQ(spec.kind, SourceKind::kSerial);
  EXPECT_EQ(spec.path, "/dev/ttyACM0");
  EXPECT_EQ(spec.baud, 115200u);
  EXPECT_TRUE(spec.reconnect);
  EXPECT_FALSE(spec.wait_for_device);
  flags.baud = 1'000'000;
  flags.wait = true;
  flags.no_reconnect = true;
  spec = ParseSourceSpec(flags);
  EXPECT_EQ(spec.baud, 1'000'000u);
  EXPECT_TRUE(spec.wait_for_device);
  EXPECT_FALSE(spec.reconnect);
}

TEST(ParseSourceSpecTest, UsbTcpAndReplay) {
  SourceFlags usb;
  usb.usb = "1209:0001:ABC";
  usb.usb_interface = 3;
  SourceSpec spec = ParseSourceSpec(usb);
  EXPECT_EQ(spec.kind, SourceKind::kUsb);
  EXPECT_EQ(spec.usb, (devices::UsbSelector{0x1209, 0x0001, "ABC"}));
  EXPECT_EQ(spec.usb_interface, 3);

  SourceFlags tcp;
  tcp.tcp = "127.0.0.1:4444";
  spec = ParseSourceSpec(tcp);
  EXPECT_EQ(spec.kind, SourceKind::kTcp);
  EXPECT_EQ(spec.tcp, (devices::TcpEndpoint{"127.0.0.1", 4444}));

  SourceFlags replay;
  replay.replay = "demo.raw";
  replay.save_raw = "copy.raw";
  spec = ParseSourceSpec(replay);
  EXPECT_EQ(spec.kind, SourceKind::kReplay);
  EXPECT_EQ(spec.baud, 0u);  // as fast as possible
  EXPECT_EQ(spec.save_raw, std::filesystem::path("copy.raw"));
  replay.baud = 115200;
  EXPECT_EQ(ParseSourceSpec(replay).baud, 115200u);  // paced like the UART
}

TEST(ParseSourceSpecTest, ExactlyOneSourceIsRequired) {
  EXPECT_EQ(UsageError({}),
            "no trace source given; use one of --serial PATH, --usb VID:PID[:SERIAL], --tcp "
            "HOST:PORT, --qemu or --replay FILE");
  SourceFlags two;
  two.serial = "/dev/ttyACM0";
  two.tcp = "127.0.0.1:4444";
  EXPECT_EQ(UsageError(two),
            "--serial and --tcp cannot be used together; give exactly one trace source");
  SourceFlags empty;
  empty.serial = "";
  EXPECT_EQ(UsageError(empty),
            "--serial needs a value; use one of --serial PATH, --usb VID:PID[:SERIAL], --tcp "
            "HOST:PORT, --qemu or --replay FILE");
}

TEST(ParseSourceSpecTest, OptionsThatDoNotApplyAreRefused) {
  SourceFlags tcp;
  tcp.tcp = "127.0.0.1:4444";
  tcp.baud = 9600;
  EXPECT_EQ(UsageError(tcp),
            "--baud does not apply to --tcp; --baud sets the rate of --serial (or the pace of "
            "--replay)");
  SourceFlags serial;
  serial.serial = "/dev/ttyACM0";
  serial.usb_interface = 2;
  EXPECT_EQ(UsageError(serial), "--usb-interface does not apply to --serial");
  SourceFlags replay;
  replay.replay = "x.raw";
  replay.wait = true;
  EXPECT_EQ(UsageError(replay), "--wait does not apply to --replay");
  replay.wait = false;
  replay.no_reconnect = true;
  EXPECT_EQ(UsageError(replay), "--no-reconnect does not apply to --replay");
}

TEST(ParseSourceSpecTest, ValuesAreChecked) {
  SourceFlags serial;
  serial.serial = "/dev/ttyACM0";
  serial.baud = 0;
  EXPECT_EQ(UsageError(serial),
            "--baud 0 is out of range; give a rate from 1 to 16000000, e.g. 115200");
  SourceFlags usb;
  usb.usb = "1209";
  EXPECT_EQ(UsageError(usb),
            "invalid USB selector '1209': the product id is missing; expected VID:PID[:SERIAL] "
            "with hexadecimal ids, e.g. 1209:0001 or 2e8a:000a:E6616407E3");
  usb.usb = "1209:0001";
  usb.usb_interface = 256;
  EXPECT_EQ(UsageError(usb),
            "--usb-interface 256 is out of range; interface numbers go from 0 to 255");
  SourceFlags tcp;
  tcp.tcp = "4444";
  EXPECT_EQ(UsageError(tcp),
            "invalid TCP endpoint '4444': the port is missing; expected HOST:PORT, e.g. "
            "127.0.0.1:4444, localhost:4444 or [::1]:4444");
}

TEST(ParseSourceSpecTest, SaveRawMayNotBeTheReplayedFile) {
  TempDir dir;
  auto file = dir.Write("demo.raw", "x");
  SourceFlags flags;
  flags.replay = file.string();
  flags.save_raw = file.string();
  EXPECT_EQ(UsageError(flags),
            "--save-raw " + file.string() + " is the file being replayed; record to another file");
}

TEST(OpenTraceSourceTest, ReplayWithSaveRawCopiesTheStreamByteForByte) {
  TempDir dir;
  auto bytes = CountingBytes(150'000, 42);
  SourceFlags flags;
  flags.replay = dir.Write("in.raw", std::string(bytes.begin(), bytes.end())).string();
  flags.save_raw = (dir.path() / "out.raw").string();
  auto source = OpenTraceSource(ParseSourceSpec(flags), TestLogger());
  EXPECT_EQ(source->Describe(),
            "replay " + *flags.replay + ", saving raw bytes to " + *flags.save_raw);
  auto got = ReadUntil(*source, bytes.size() + 1, milliseconds(10'000));
  ASSERT_EQ(got.events.size(), 1u);
  EXPECT_EQ(got.events[0].status, ReadStatus::kEnd);
  EXPECT_EQ(got.bytes, bytes);
  EXPECT_EQ(ReadBinaryFile(*flags.save_raw), bytes);
}

TEST(OpenTraceSourceTest, AnExistingSaveRawFileIsRefusedBeforeTheDeviceIsOpened) {
  TempDir dir;
  SourceFlags flags;
  flags.serial = (dir.path() / "no-such-port").string();  // would fail differently if opened
  flags.save_raw = dir.Write("old.raw", "keep").string();
  try {
    OpenTraceSource(ParseSourceSpec(flags), TestLogger());
    FAIL() << "opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "refusing to overwrite existing file " + *flags.save_raw);
  }
  EXPECT_EQ(ReadFile(*flags.save_raw), "keep");
}

TEST(OpenTraceSourceTest, SerialFromFlags) {
  ::tockctl::testing::PtyPair pty;
  SourceFlags flags;
  flags.serial = pty.slave_path();
  flags.baud = 9600;
  auto source = OpenTraceSource(ParseSourceSpec(flags), TestLogger());
  EXPECT_EQ(source->Describe(), "serial " + pty.slave_path() + " @9600");
  pty.Write("ok");
  EXPECT_EQ(ReadUntil(*source, 2, milliseconds(10'000)).bytes, std::vector<uint8_t>({'o', 'k'}));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
