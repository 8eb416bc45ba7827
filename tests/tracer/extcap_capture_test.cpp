// Captures into real FIFOs (mkfifo) read by a thread playing Wireshark: records arrive whole and
// while the capture runs, a reader that goes away ends it cleanly, and the capture's refusals.
#include "tracer/extcap_capture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_support.h"
#include "tests/tracer/loopback_server.h"
#include "tests/tracer/pcapng_reader.h"
#include "tests/tracer/source_test_support.h"
#include "tracer/extcap_sources.h"
#include "tracer/replay_source.h"
#include "tracer/trace_sink.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

constexpr auto kPatience = std::chrono::seconds(10);

std::vector<uint8_t> Fixture(const std::string& name) {
  const std::string text = ReadFile(tockctl::testing::SourceDir() / "tests/fixtures/trace" / name);
  return {text.begin(), text.end()};
}

// SIGPIPE would end the test binary when a reader goes away; the real binary ignores it too.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() { old_ = ::signal(SIGPIPE, SIG_IGN); }
  ~IgnoreSigpipe() { ::signal(SIGPIPE, old_); }

 private:
  sighandler_t old_;
};

// Wireshark's side of the FIFO: a thread that reads until end of file, or until it has
// `close_after` bytes and then closes the FIFO.
class FifoReader {
 public:
  explicit FifoReader(fs::path path, size_t close_after = SIZE_MAX)
      : thread_([this, path, close_after] { Run(path, close_after); }) {}
  ~FifoReader() {
    if (thread_.joinable()) thread_.join();
  }
  std::vector<uint8_t> Bytes() {
    thread_.join();
    return bytes_;
  }
  size_t received() const { return received_.load(); }

 private:
  void Run(const fs::path& path, size_t close_after) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    uint8_t buf[4096];
    ssize_t n;
    while (bytes_.size() < close_after && (n = ::read(fd, buf, sizeof buf)) > 0) {
      bytes_.insert(bytes_.end(), buf, buf + n);
      received_.store(bytes_.size());
    }
    ::close(fd);
  }

  std::vector<uint8_t> bytes_;
  std::atomic<size_t> received_{0};
  std::thread thread_;
};

fs::path MakeFifo(const tockctl::testing::TempDir& dir) {
  fs::path fifo = dir.path() / "wireshark_extcap_fifo";
  EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  return fifo;
}

TEST(ExtcapCapture, AReplayArrivesWholeInTheFifo) {
  tockctl::testing::TempDir dir;
  const fs::path fifo = MakeFifo(dir);
  FifoReader reader(fifo);
  std::atomic<bool> stop{false};
  auto output = std::make_unique<FifoBlockOutput>(fifo.string(), stop);
  ASSERT_TRUE(output->is_open());
  ReplaySource source({tockctl::testing::SourceDir() / "tests/fixtures/trace/basic.bin", 0});
  const CaptureResult result =
      CaptureToPcapng(source, *output, {}, "tockctl test", ::tockctl::testing::ManualClock(), stop);
  EXPECT_EQ(result.end, CaptureEnd::kSourceEnded);
  EXPECT_EQ(result.detail,
            "end of replay " +
                (tockctl::testing::SourceDir() / "tests/fixtures/trace/basic.bin").string() +
                " (1935 bytes)");
  EXPECT_EQ(result.records, 36u);
  EXPECT_FALSE(output->reader_gone());
  output.reset();  // closes the FIFO: the reader sees its end

  const auto capture = testing::ParseCapture(reader.Bytes());
  EXPECT_EQ(capture.application, "tockctl test");
  ASSERT_EQ(capture.interfaces.size(), 3u);
  EXPECT_EQ(capture.interfaces[0].linktype, 147);
  EXPECT_EQ(capture.interfaces[1].linktype, 1);
  EXPECT_EQ(capture.interfaces[2].linktype, 230);
  EXPECT_EQ(capture.packets.size(), 36u);
}

// The bytes of the capture's section header and USER0 interface, written before any record.
class MemoryOutput : public BlockOutput {
 public:
  void Write(std::span<const uint8_t> b) override { size += b.size(); }
  size_t size = 0;
};

size_t HeaderBytes(const std::string& application) {
  MemoryOutput out;
  PcapngWriter writer(out, application);
  PcapngSink sink(writer);
  writer.Flush();
  return out.size;
}

// Delivers the first half of basic.bin, then nothing until the reader has received more than
// `header_bytes` (packets of the first half) or the patience runs out, then the rest.
class TwoHalvesSource : public ByteSource {
 public:
  TwoHalvesSource(std::vector<uint8_t> bytes, const FifoReader& reader, size_t header_bytes)
      : bytes_(std::move(bytes)),
        reader_(reader),
        header_bytes_(header_bytes),
        started_(Steady::now()) {}
  ReadResult Read(std::span<uint8_t> buf, milliseconds) override {
    const size_t half = bytes_.size() / 2;
    if (at_ == half && reader_.received() <= header_bytes_) {
      if (Steady::now() - started_ < kPatience) {
        std::this_thread::sleep_for(milliseconds(5));
        return {ReadStatus::kTimeout, 0, {}};
      }
      waited_out_ = true;
    }
    if (at_ == bytes_.size()) return {ReadStatus::kEnd, 0, "end"};
    const size_t n = std::min(buf.size(), (at_ < half ? half : bytes_.size()) - at_);
    std::copy_n(bytes_.begin() + static_cast<ptrdiff_t>(at_), n, buf.begin());
    at_ += n;
    return {ReadStatus::kData, n, {}};
  }
  std::string Describe() const override { return "two halves"; }
  bool waited_out() const { return waited_out_; }

 private:
  std::vector<uint8_t> bytes_;
  const FifoReader& reader_;
  size_t header_bytes_;
  Steady::time_point started_;
  size_t at_ = 0;
  bool waited_out_ = false;
};

TEST(ExtcapCapture, PacketsReachWiresharkWhileTheCaptureRuns) {
  tockctl::testing::TempDir dir;
  const fs::path fifo = MakeFifo(dir);
  FifoReader reader(fifo);
  std::atomic<bool> stop{false};
  auto output = std::make_unique<FifoBlockOutput>(fifo.string(), stop);
  TwoHalvesSource source(Fixture("basic.bin"), reader, HeaderBytes("t"));
  const CaptureResult result =
      CaptureToPcapng(source, *output, {}, "t", ::tockctl::testing::ManualClock(), stop);
  output.reset();
  EXPECT_FALSE(source.waited_out()) << "no packet reached the FIFO before the source ended";
  EXPECT_EQ(result.records, 36u);
  EXPECT_EQ(testing::ParseCapture(reader.Bytes()).packets.size(), 36u);
}

// Replays basic.bin over and over, never ending by itself.
class EndlessSource : public ByteSource {
 public:
  ReadResult Read(std::span<uint8_t> buf, milliseconds) override {
    const size_t n = std::min(buf.size(), bytes_.size() - at_);
    std::copy_n(bytes_.begin() + static_cast<ptrdiff_t>(at_), n, buf.begin());
    at_ = (at_ + n) % bytes_.size();
    return {ReadStatus::kData, n, {}};
  }
  std::string Describe() const override { return "endless"; }

 private:
  std::vector<uint8_t> bytes_ = Fixture("basic.bin");
  size_t at_ = 0;
};

TEST(ExtcapCapture, AReaderThatGoesAwayEndsTheCapture) {
  IgnoreSigpipe no_sigpipe;
  tockctl::testing::TempDir dir;
  const fs::path fifo = MakeFifo(dir);
  FifoReader reader(fifo, 1);  // closes after its first read
  std::atomic<bool> stop{false};
  FifoBlockOutput output(fifo.string(), stop);
  EndlessSource source;
  const CaptureResult result =
      CaptureToPcapng(source, output, {}, "t", ::tockctl::testing::ManualClock(), stop);
  EXPECT_EQ(result.end, CaptureEnd::kReaderGone);
  EXPECT_TRUE(output.reader_gone());
  EXPECT_GT(result.records, 0u);
}

TEST(ExtcapCapture, AStopRequestEndsTheCapture) {
  tockctl::testing::TempDir dir;
  std::atomic<bool> stop{false};
  FifoBlockOutput output((dir.path() / "capture.pcapng").string(), stop);
  EndlessSource source;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    stop.store(true);
  });
  const CaptureResult result =
      CaptureToPcapng(source, output, {}, "t", ::tockctl::testing::ManualClock(), stop);
  stopper.join();
  EXPECT_EQ(result.end, CaptureEnd::kStopped);
  const std::string file = ReadFile(dir.path() / "capture.pcapng");
  EXPECT_EQ(testing::ParseCapture({file.begin(), file.end()}).packets.size(), result.records);
}

TEST(ExtcapCapture, AStopBeforeWiresharkOpensTheFifoGivesUpOpeningIt) {
  tockctl::testing::TempDir dir;
  const fs::path fifo = MakeFifo(dir);
  std::atomic<bool> stop{true};
  FifoBlockOutput output(fifo.string(), stop);
  EXPECT_FALSE(output.is_open());
}

TEST(ExtcapCapture, AFifoInAMissingFolderIsAnIoError) {
  std::atomic<bool> stop{false};
  try {
    FifoBlockOutput output("/nonexistent/dir/fifo", stop);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
    EXPECT_EQ(e.Describe(),
              "/nonexistent/dir/fifo: cannot create the capture file: No such file or directory; "
              "Wireshark creates the FIFO and passes it with --fifo; check the path");
  }
}

class NoDevices : public SourceInventory {
 public:
  RecordedQemu Qemu() override { return {false, "", 0, "not running"}; }
  std::vector<devices::SerialPortInfo> SerialPorts() override { return {}; }
  std::vector<devices::UsbDeviceInfo> UsbDevices() override { return {}; }
};

// A QEMU that is recorded at `endpoint` (or none).
class FakeLocator : public QemuUartLocator {
 public:
  std::optional<devices::TcpEndpoint> Find() override { return endpoint; }
  devices::TcpEndpoint Require() override {
    if (!endpoint) throw Error(ErrorCategory::kTransport, "no QEMU started by tockctl is running");
    return *endpoint;
  }
  std::optional<devices::TcpEndpoint> endpoint;
};

std::string CaptureError(const ExtcapCaptureOptions& options, QemuUartLocator& locator,
                         ErrorCategory category) {
  NoDevices inventory;
  std::atomic<bool> stop{false};
  ExtcapCaptureEnvironment env;
  env.inventory = &inventory;
  env.qemu = &locator;
  env.stop = &stop;
  env.log = testing::TestLogger();
  try {
    RunExtcapCapture(options, env);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), category) << e.Describe();
    return e.Describe();
  }
  ADD_FAILURE() << "no error";
  return "";
}

ExtcapCaptureOptions Options(const std::string& interface, const tockctl::testing::TempDir& dir) {
  ExtcapCaptureOptions o;
  o.interface = interface;
  o.fifo = (dir.path() / "capture.pcapng").string();
  return o;
}

TEST(ExtcapCapture, RefusesWhatItCannotCapture) {
  tockctl::testing::TempDir dir;
  FakeLocator none;
  EXPECT_EQ(CaptureError(Options("eth0", dir), none, ErrorCategory::kUsage),
            "unknown interface eth0; tockctl's interfaces start with tockctl-; list them with: "
            "tockctl extcap --extcap-interfaces");
  EXPECT_EQ(
      CaptureError(Options("tockctl-serial-0123456789", dir), none, ErrorCategory::kTransport),
      "the device of tockctl-serial-0123456789 is not attached (tockctl-serial-0123456789: "
      "open); plug it in and refresh Wireshark's interface list (Capture > Refresh "
      "Interfaces)");
  EXPECT_EQ(CaptureError(Options("tockctl-qemu", dir), none, ErrorCategory::kTransport),
            "no QEMU started by tockctl is running");
  ExtcapCaptureOptions baud = Options("tockctl-qemu", dir);
  baud.baud = 9600;
  EXPECT_EQ(CaptureError(baud, none, ErrorCategory::kUsage),
            "--baud does not apply to tockctl-qemu; it sets the line rate of tockctl-serial-... "
            "interfaces");
  ExtcapCaptureOptions wait = Options("tockctl-usb-6667-0001", dir);
  wait.wait = true;
  EXPECT_EQ(CaptureError(wait, none, ErrorCategory::kUsage),
            "--wait does not apply to tockctl-usb-6667-0001; only tockctl-qemu can wait for its "
            "device");
  ExtcapCaptureOptions itf = Options("tockctl-serial-x", dir);
  itf.usb_interface = 2;
  EXPECT_EQ(CaptureError(itf, none, ErrorCategory::kUsage),
            "--usb-interface does not apply to tockctl-serial-x; it picks the interface of "
            "tockctl-usb-... devices");
  EXPECT_FALSE(fs::exists(dir.path() / "capture.pcapng"));
}

// One accepted connection on 127.0.0.1 that receives `bytes` and is then closed: a QEMU that
// sends a little and exits.
class OneShotUart {
 public:
  explicit OneShotUart(std::vector<uint8_t> bytes)
      : thread_([this, bytes = std::move(bytes)] {
          devices::UniqueFd client = server_.Accept();
          if (client.valid()) (void)!::send(client.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        }) {}
  ~OneShotUart() { thread_.join(); }
  uint16_t port() const { return server_.port(); }

 private:
  testing::LoopbackServer server_;
  std::thread thread_;
};

TEST(ExtcapCapture, AQemuThatGoesAwayEndsTheCaptureWithAnErrorAndAWholeFile) {
  tockctl::testing::TempDir dir;
  OneShotUart uart(Fixture("basic.bin"));
  FakeLocator qemu;
  qemu.endpoint = devices::TcpEndpoint{"127.0.0.1", uart.port()};
  const std::string port = std::to_string(uart.port());
  EXPECT_EQ(CaptureError(Options("tockctl-qemu", dir), qemu, ErrorCategory::kTransport),
            "the trace source went away: tcp 127.0.0.1:" + port +
                ": the peer closed the connection (tockctl-qemu: capture); start the capture "
                "again when it is back, or tick Reconnect in the interface options");
  const std::string file = ReadFile(dir.path() / "capture.pcapng");
  EXPECT_EQ(testing::ParseCapture({file.begin(), file.end()}).packets.size(), 36u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
