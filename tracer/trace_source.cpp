#include "tracer/trace_source.h"

#include <vector>

#include "common/error.h"
#include "devices/qemu_instance.h"
#include "tracer/qemu_uart_source.h"
#include "tracer/raw_recorder.h"
#include "tracer/replay_source.h"
#include "tracer/serial_source.h"
#include "tracer/tcp_source.h"
#include "tracer/usb_source.h"

namespace tockctl::tracer {

namespace fs = std::filesystem;

namespace {

const char* k_source_choices =
    "use one of --serial PATH, --usb VID:PID[:SERIAL], --tcp HOST:PORT, --qemu "
    "or --replay FILE";

Error Usage(const std::string& message, std::string hint = {}) {
  return Error(ErrorCategory::kUsage, message, {}, std::move(hint));
}

// The one source flag given, as {flag name, value}.
std::pair<std::string, std::string> ChosenSource(const SourceFlags& flags) {
  std::vector<std::pair<std::string, const std::optional<std::string>*>> all = {
      {"--serial", &flags.serial},
      {"--usb", &flags.usb},
      {"--tcp", &flags.tcp},
      {"--replay", &flags.replay}};
  std::vector<std::pair<std::string, std::string>> given;
  if (flags.qemu || flags.qemu_name) given.emplace_back("--qemu", "");
  for (const auto& [name, value] : all) {
    if (*value) given.emplace_back(name, **value);
  }
  if (given.empty()) throw Usage("no trace source given", k_source_choices);
  if (given.size() > 1) {
    throw Usage(given[0].first + " and " + given[1].first + " cannot be used together",
                "give exactly one trace source");
  }
  if (given[0].second.empty() && given[0].first != "--qemu") {
    throw Usage(given[0].first + " needs a value", k_source_choices);
  }
  return given[0];
}

void CheckApplicable(const SourceFlags& flags, const std::string& source) {
  bool live = source != "--replay";
  if (flags.baud && source == "--qemu") {
    throw Usage("--baud does not apply to --qemu", "QEMU's UART has no line rate");
  }
  if (flags.baud && source != "--serial" && source != "--replay") {
    throw Usage("--baud does not apply to " + source,
                "--baud sets the rate of --serial (or the "
                "pace of --replay)");
  }
  if (flags.usb_interface && source != "--usb") {
    throw Usage("--usb-interface does not apply to " + source);
  }
  if (flags.wait && !live) throw Usage("--wait does not apply to --replay");
  if (flags.no_reconnect && !live) throw Usage("--no-reconnect does not apply to --replay");
}

void FillSaveRaw(const SourceFlags& flags, SourceSpec& spec) {
  if (!flags.save_raw) return;
  if (flags.save_raw->empty()) throw Usage("--save-raw needs a file name");
  spec.save_raw = *flags.save_raw;
  spec.overwrite_raw = flags.overwrite_raw;
  std::error_code ec;
  if (spec.kind == SourceKind::kReplay && fs::equivalent(spec.path, *spec.save_raw, ec)) {
    throw Usage("--save-raw " + *flags.save_raw + " is the file being replayed",
                "record to another file");
  }
}

// The QEMU recorded by `tockctl flash`: a QemuUartSource that owns its locator, so that the state
// file is read again whenever the link is lost and a QEMU restarted on a new port is followed.
class RecordedQemuSource : public ByteSource {
 public:
  RecordedQemuSource(const SourceSpec& spec, const std::shared_ptr<spdlog::logger>& log)
      : locator_(spec.qemu_state_dir, spec.qemu_name),
        source_(locator_,
                QemuUartOptions{spec.wait_for_device, spec.reconnect, spec.reconnect_interval},
                log) {}
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    return source_.Read(buf, timeout);
  }
  std::string Describe() const override { return source_.Describe(); }
  void Write(std::span<const uint8_t> bytes) override { source_.Write(bytes); }

 private:
  RecordedQemuUartLocator locator_;
  QemuUartSource source_;
};

std::unique_ptr<ByteSource> OpenSource(const SourceSpec& spec,
                                       const std::shared_ptr<spdlog::logger>& log) {
  switch (spec.kind) {
    case SourceKind::kSerial: {
      SerialOptions o;
      o.path = spec.path;
      o.baud = spec.baud;
      o.reconnect = spec.reconnect;
      o.wait_for_device = spec.wait_for_device;
      o.reconnect_interval = spec.reconnect_interval;
      o.lends_as = spec.lends_as;
      return std::make_unique<SerialSource>(o, log);
    }
    case SourceKind::kUsb: {
      UsbOptions o;
      o.selector = spec.usb;
      o.interface_number = spec.usb_interface;
      o.reconnect = spec.reconnect;
      o.wait_for_device = spec.wait_for_device;
      o.reconnect_interval = spec.reconnect_interval;
      return OpenUsbSource(o, log);
    }
    case SourceKind::kTcp: {
      TcpOptions o;
      o.endpoint = spec.tcp;
      o.reconnect = spec.reconnect;
      o.wait_for_device = spec.wait_for_device;
      o.reconnect_interval = spec.reconnect_interval;
      return std::make_unique<TcpSource>(o, log);
    }
    case SourceKind::kQemu:
      return std::make_unique<RecordedQemuSource>(spec, log);
    case SourceKind::kReplay:
      return std::make_unique<ReplaySource>(ReplayOptions{spec.path, spec.baud});
  }
  throw Error(ErrorCategory::kInternal, "unknown trace source kind");
}

}  // namespace

uint32_t CheckedBaud(int64_t baud) {
  if (baud < 1 || baud > kMaxBaud) {
    throw Usage("--baud " + std::to_string(baud) + " is out of range",
                "give a rate from 1 to " + std::to_string(kMaxBaud) + ", e.g. 115200");
  }
  return static_cast<uint32_t>(baud);
}

uint8_t CheckedUsbInterface(int64_t number) {
  if (number < 0 || number > 255) {
    throw Usage("--usb-interface " + std::to_string(number) + " is out of range",
                "interface numbers go from 0 to 255");
  }
  return static_cast<uint8_t>(number);
}

SourceSpec ParseSourceSpec(const SourceFlags& flags) {
  auto [flag, value] = ChosenSource(flags);
  CheckApplicable(flags, flag);
  SourceSpec spec;
  spec.wait_for_device = flags.wait;
  spec.reconnect = !flags.no_reconnect;
  if (flag == "--serial") {
    spec.kind = SourceKind::kSerial;
    spec.path = value;
    spec.baud = flags.baud ? CheckedBaud(*flags.baud) : kDefaultSerialBaud;
  } else if (flag == "--usb") {
    spec.kind = SourceKind::kUsb;
    spec.usb = devices::ParseUsbSelector(value);
    if (flags.usb_interface) {
      spec.usb_interface = CheckedUsbInterface(*flags.usb_interface);
    }
  } else if (flag == "--tcp") {
    spec.kind = SourceKind::kTcp;
    spec.tcp = devices::ParseTcpEndpoint(value);
  } else if (flag == "--qemu") {
    spec.kind = SourceKind::kQemu;
    spec.qemu_state_dir = devices::QemuStateDir();
    if (flags.qemu_name) spec.qemu_name = devices::ParseQemuName(*flags.qemu_name, "--qemu-name");
  } else {
    spec.kind = SourceKind::kReplay;
    spec.path = value;
    spec.baud = flags.baud ? CheckedBaud(*flags.baud) : 0;
  }
  FillSaveRaw(flags, spec);
  return spec;
}

std::unique_ptr<ByteSource> OpenTraceSource(const SourceSpec& spec,
                                            std::shared_ptr<spdlog::logger> log) {
  std::optional<RawRecorderOptions> recording;
  if (spec.save_raw) {
    recording = RawRecorderOptions{*spec.save_raw, spec.overwrite_raw};
    CheckRawRecordingTarget(*recording);
  }
  std::unique_ptr<ByteSource> source = OpenSource(spec, log);
  if (!recording) return source;
  return std::make_unique<RawRecorder>(std::move(source), *recording, log);
}

void ByteSource::Write(std::span<const uint8_t> /*bytes*/) {
  throw Error(ErrorCategory::kUsage, Describe() + " cannot be written to", {},
              "send to a serial, TCP or QEMU source");
}

}  // namespace tockctl::tracer
