#include "tracer/qemu_uart_source.h"

#include "devices/qemu_instance.h"

namespace tockctl::tracer {

using std::chrono::milliseconds;

RecordedQemuUartLocator::RecordedQemuUartLocator(std::filesystem::path state_dir, std::string name)
    : state_dir_(std::move(state_dir)), name_(std::move(name)) {}

std::optional<devices::TcpEndpoint> RecordedQemuUartLocator::Find() {
  devices::QemuStatus s =
      devices::ReadQemuStatus(devices::QemuStateStore(state_dir_, name_), devices::UnixNow());
  if (!s.instance || !s.alive) return std::nullopt;
  return devices::TcpEndpoint{"127.0.0.1", s.instance->uart_port};
}

devices::TcpEndpoint RecordedQemuUartLocator::Require() {
  return devices::RecordedQemuUartEndpoint(devices::QemuStateStore(state_dir_, name_));
}

QemuUartSource::QemuUartSource(QemuUartLocator& locator, QemuUartOptions options,
                               std::shared_ptr<spdlog::logger> log)
    : locator_(locator),
      options_(options),
      log_(std::move(log)),
      schedule_(options_.poll_interval, SystemClock()) {
  if (!options_.wait_for_qemu) {
    Connect(locator_.Require());
  } else if (auto endpoint = locator_.Find()) {
    Connect(*endpoint);
  } else {
    log_->info("waiting for a QEMU started by tockctl flash");
  }
  schedule_.Attempted();
}

ReadResult QemuUartSource::Read(std::span<uint8_t> buf, milliseconds timeout) {
  if (!tcp_) return WaitForQemu(schedule_.clock().Now() + timeout);
  if (lost_) {
    if (auto moved = FollowRestartedQemu()) return *moved;
  }
  ReadResult r = tcp_->Read(buf, timeout);
  if (r.status == ReadStatus::kDisconnected) lost_ = true;
  if (r.status == ReadStatus::kReconnected) lost_ = false;
  return r;
}

// Reads the state file once per poll interval until a QEMU is recorded. The TcpSource then reports
// the connection itself (kReconnected) once QEMU accepts it.
ReadResult QemuUartSource::WaitForQemu(Clock::TimePoint deadline) {
  while (schedule_.WaitUntilDue(deadline)) {
    schedule_.Attempted();
    if (auto endpoint = locator_.Find()) {
      Connect(*endpoint);
      break;
    }
  }
  return {ReadStatus::kTimeout, 0, {}};
}

// While the link is lost, a QEMU recorded on another port (a new `tockctl flash`) replaces the old
// one, whose port nothing will listen on again.
std::optional<ReadResult> QemuUartSource::FollowRestartedQemu() {
  if (!schedule_.WaitUntilDue(schedule_.clock().Now())) return std::nullopt;
  schedule_.Attempted();
  std::optional<devices::TcpEndpoint> endpoint = locator_.Find();
  if (!endpoint || *endpoint == endpoint_) return std::nullopt;
  Connect(*endpoint);
  lost_ = false;
  return ReadResult{ReadStatus::kReconnected, 0, "QEMU restarted; reading " + Describe()};
}

void QemuUartSource::Connect(const devices::TcpEndpoint& endpoint) {
  TcpOptions o;
  o.endpoint = endpoint;
  o.reconnect = options_.reconnect;
  o.wait_for_device = options_.wait_for_qemu || tcp_ != nullptr;
  o.reconnect_interval = options_.poll_interval;
  tcp_ = std::make_unique<TcpSource>(o, log_);
  endpoint_ = endpoint;
  log_->info("reading {}", Describe());
}

void QemuUartSource::Write(std::span<const uint8_t> bytes) {
  if (!tcp_) {
    throw Error(ErrorCategory::kTransport, Describe() + " is not connected", {},
                "start one with: tockctl flash IMAGE --board qemu_rv32_virt");
  }
  tcp_->Write(bytes);
}

std::string QemuUartSource::Describe() const {
  if (!tcp_) return "QEMU (waiting for tockctl flash to start one)";
  return "QEMU UART " + tcp_->Describe();
}

}  // namespace tockctl::tracer
