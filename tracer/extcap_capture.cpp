#include "tracer/extcap_capture.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/error.h"
#include "tracer/extcap_sources.h"
#include "tracer/raw_recorder.h"
#include "tracer/trace_session.h"
#include "tracer/trace_sink.h"
#include "tracer/trace_source.h"

namespace tockctl::tracer {
namespace {

constexpr std::chrono::milliseconds kReaderPoll{20};

Error FifoError(const std::string& path, const std::string& what, int err) {
  ErrorContext ctx;
  ctx.file = path;
  return Error(ErrorCategory::kIo, what + ": " + std::strerror(err), ctx,
               "Wireshark creates the FIFO and passes it with --fifo; check the path");
}

// Ends the stream once Wireshark has stopped reading, so the session finishes at once.
class ReaderBoundSource : public ByteSource {
 public:
  ReaderBoundSource(ByteSource& inner, const FifoBlockOutput& output)
      : inner_(inner), output_(output) {}
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    if (output_.reader_gone()) return {ReadStatus::kEnd, 0, "Wireshark stopped reading"};
    return inner_.Read(buf, timeout);
  }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  ByteSource& inner_;
  const FifoBlockOutput& output_;
};

// Remembers why the link went away, for the error that ends the capture.
class LinkLossSink : public TraceSink {
 public:
  void OnRecord(const Record&, const RecordInfo&, const TraceContext&) override {}
  void OnLinkEvent(const LinkEvent& event) override {
    if (event.kind == LinkEvent::Kind::kDisconnected) detail_ = event.detail;
  }
  const std::string& detail() const { return detail_; }

 private:
  std::string detail_;
};

// Wireshark shows everything an extcap writes to stderr as an error, so the sources' warnings
// about a link that comes and goes (with --reconnect) stay out of it; -v still shows them.
std::shared_ptr<spdlog::logger> CaptureLogger(const std::shared_ptr<spdlog::logger>& log) {
  if (!log) return spdlog::default_logger();
  auto quieter = log->clone(log->name());
  if (quieter->level() == spdlog::level::warn) quieter->set_level(spdlog::level::err);
  return quieter;
}

Error Usage(const std::string& message, const std::string& hint = {}) {
  return Error(ErrorCategory::kUsage, message, {}, hint);
}

void CheckOptionsApply(ExtcapSourceKind kind, const ExtcapCaptureOptions& o) {
  if (o.baud && kind != ExtcapSourceKind::kSerial) {
    throw Usage("--baud does not apply to " + o.interface,
                "it sets the line rate of tockctl-serial-... interfaces");
  }
  if (o.usb_interface && kind != ExtcapSourceKind::kUsb) {
    throw Usage("--usb-interface does not apply to " + o.interface,
                "it picks the interface of tockctl-usb-... devices");
  }
  if (o.wait && kind != ExtcapSourceKind::kQemu) {
    throw Usage("--wait does not apply to " + o.interface,
                "only tockctl-qemu can wait for its device");
  }
}

std::unique_ptr<ByteSource> OpenQemuSource(const ExtcapCaptureOptions& o,
                                           const ExtcapCaptureEnvironment& env,
                                           const std::shared_ptr<spdlog::logger>& log) {
  QemuUartOptions q;
  q.wait_for_qemu = o.wait;
  q.reconnect = o.reconnect;
  std::unique_ptr<ByteSource> source = std::make_unique<QemuUartSource>(*env.qemu, q, log);
  if (!o.save_raw) return source;
  return std::make_unique<RawRecorder>(std::move(source), RawRecorderOptions{*o.save_raw, true},
                                       log);
}

// Serial and USB interfaces name a device by a stable value; the current listing says where it is.
SourceSpec AttachedDeviceSpec(const ExtcapCaptureOptions& o, SourceInventory& inventory) {
  for (const ExtcapSource& s : ListExtcapSources(inventory)) {
    if (s.interface.value != o.interface) continue;
    SourceSpec spec;
    if (s.kind == ExtcapSourceKind::kSerial) {
      spec.kind = SourceKind::kSerial;
      spec.path = s.serial_path;
      spec.baud = o.baud ? CheckedBaud(*o.baud) : kDefaultSerialBaud;
    } else {
      spec.kind = SourceKind::kUsb;
      spec.usb = s.usb_selector;
      if (o.usb_interface) spec.usb_interface = CheckedUsbInterface(*o.usb_interface);
    }
    spec.reconnect = o.reconnect;
    if (o.save_raw) spec.save_raw = *o.save_raw;
    spec.overwrite_raw = true;
    return spec;
  }
  ErrorContext ctx;
  ctx.device = o.interface;
  ctx.operation = "open";
  throw Error(ErrorCategory::kTransport, "the device of " + o.interface + " is not attached", ctx,
              "plug it in and refresh Wireshark's interface list (Capture > Refresh Interfaces)");
}

std::unique_ptr<ByteSource> OpenExtcapSource(const ExtcapCaptureOptions& o,
                                             const ExtcapCaptureEnvironment& env,
                                             const std::shared_ptr<spdlog::logger>& log) {
  std::optional<ExtcapSourceKind> kind = ExtcapKindOf(o.interface);
  if (!kind) {
    throw Usage("unknown interface " + o.interface,
                "tockctl's interfaces start with tockctl-; list them with: tockctl extcap "
                "--extcap-interfaces");
  }
  CheckOptionsApply(*kind, o);
  if (*kind == ExtcapSourceKind::kQemu) return OpenQemuSource(o, env, log);
  return OpenTraceSource(AttachedDeviceSpec(o, *env.inventory), log);
}

}  // namespace

FifoBlockOutput::FifoBlockOutput(std::string path, const std::atomic<bool>& stop)
    : path_(std::move(path)), stop_(stop) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw FifoError(path_, "cannot create the capture file", errno);
    return;
  }
  // Opening a FIFO without a reader fails with ENXIO when non-blocking; poll until it has one.
  while (!stop_.load()) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ >= 0) break;
    if (errno != ENXIO && errno != EINTR) throw FifoError(path_, "cannot open the FIFO", errno);
    std::this_thread::sleep_for(kReaderPoll);
  }
  if (fd_ >= 0) ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
}

FifoBlockOutput::~FifoBlockOutput() {
  if (fd_ >= 0) ::close(fd_);
}

void FifoBlockOutput::Write(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size() && !reader_gone_) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EPIPE) {
      reader_gone_ = true;
    } else if (n < 0 && errno == EINTR) {
      if (stop_.load()) return;  // stopping while the reader takes nothing: give up the rest
    } else {
      throw FifoError(path_, "cannot write the capture", n < 0 ? errno : EIO);
    }
  }
}

CaptureResult CaptureToPcapng(ByteSource& source, FifoBlockOutput& output,
                              const FilterOptions& filter, const std::string& application,
                              const Clock& clock, const std::atomic<bool>& stop) {
  PcapngWriter writer(output, application);
  PcapngSink capture(writer);
  writer.Flush();  // Wireshark sees a valid, empty capture at once
  LinkLossSink losses;
  SessionOptions options;
  options.filter = filter;
  options.join_mid_stream = true;
  options.end_is_link_loss = true;
  options.console_latency = std::chrono::milliseconds(25);
  TraceSession session(options, clock, {&capture, &losses});
  ReaderBoundSource bound(source, output);
  const SessionEnd end = session.Run(bound, stop);
  CaptureResult result;
  result.records = session.written();
  result.console_pieces = session.console_written();
  if (output.reader_gone()) {
    result.end = CaptureEnd::kReaderGone;
  } else if (end == SessionEnd::kStopped) {
    result.end = CaptureEnd::kStopped;
  } else {
    result.end = CaptureEnd::kSourceEnded;
    result.detail = losses.detail();
  }
  return result;
}

void RunExtcapCapture(const ExtcapCaptureOptions& options, const ExtcapCaptureEnvironment& env) {
  const auto log = CaptureLogger(env.log);
  std::unique_ptr<ByteSource> source = OpenExtcapSource(options, env, log);
  FifoBlockOutput output(options.fifo, *env.stop);
  if (!output.is_open()) return;  // stopped before Wireshark opened the FIFO
  const CaptureResult result =
      CaptureToPcapng(*source, output, options.filter, env.application, *env.clock, *env.stop);
  log->info("capture ended after {} records and {} console text pieces", result.records,
            result.console_pieces);
  if (result.end != CaptureEnd::kSourceEnded) return;
  output.LeaveOpenUntilExit();  // seen under load: Wireshark showed "tshark: " with no error
  ErrorContext ctx;
  ctx.device = options.interface;
  ctx.operation = "capture";
  throw Error(ErrorCategory::kTransport, "the trace source went away: " + result.detail, ctx,
              "start the capture again when it is back, or tick Reconnect in the interface "
              "options");
}

}  // namespace tockctl::tracer
