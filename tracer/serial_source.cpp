#include "tracer/serial_source.h"

#include <algorithm>

#include "devices/device_context.h"
#include "devices/serial_lending.h"

namespace tockctl::tracer {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

SerialSource::SerialSource(SerialOptions options, std::shared_ptr<spdlog::logger> log, Clock& clock)
    : options_(std::move(options)),
      log_(std::move(log)),
      schedule_(options_.reconnect_interval, clock),
      current_path_(options_.path),
      selector_(devices::PortAsUsbSelector(options_.path.string())) {
  std::optional<fs::path> path = FirstPath();
  if (path) {
    devices::SerialOpenAttempt attempt =
        devices::OpenSerialPort(*path, options_.baud, options_.lock_dir, *log_, options_.lends_as);
    if (attempt.port) {
      Adopt(std::move(attempt.port));
      return;
    }
    if (!(attempt.absent && options_.wait_for_device)) throw *attempt.error;
  }
  log_->info("waiting for serial port {} to appear", options_.path.string());
}

// The port to open first: the configured path, or the tty of the USB device it names (nothing
// while that has none and wait_for_device is set).
std::optional<fs::path> SerialSource::FirstPath() const {
  if (!selector_) return options_.path;
  std::optional<fs::path> path =
      devices::FindUsbSerialPort(options_.sysfs_root, options_.dev_dir, *selector_);
  if (path || options_.wait_for_device) return path;
  throw Error(ErrorCategory::kTransport,
              "no serial port belongs to USB device " + selector_->ToString(),
              devices::DeviceContext(selector_->ToString(), "find serial port"),
              "is it plugged in, with its driver (cdc_acm, ftdi_sio, ...) loaded? tockctl "
              "devices lists the serial ports with their USB ids and serial numbers");
}

ReadResult SerialSource::Read(std::span<uint8_t> buf, milliseconds timeout) {
  if (ended_) return {ReadStatus::kEnd, 0, end_detail_};
  if (lent_to_ && !returning_from_loan_) return WaitForLoanEnd(schedule_.clock().Now() + timeout);
  if (port_) {
    if (std::optional<std::string> borrower = BorrowerAsking()) return Lend(*borrower);
    return ReadOpenPort(buf, timeout);
  }
  return TryToReturn(schedule_.clock().Now() + timeout);
}

// A job asking for the port, looked for at most once per loan_check_interval.
std::optional<std::string> SerialSource::BorrowerAsking() {
  if (options_.lends_as.empty()) return std::nullopt;
  const Clock::TimePoint now = schedule_.clock().Now();
  if (next_loan_check_ && now < *next_loan_check_) return std::nullopt;
  next_loan_check_ = now + options_.loan_check_interval;
  return devices::ActiveSerialBorrower(options_.lock_dir, current_path_);
}

ReadResult SerialSource::Lend(const std::string& borrower) {
  port_.reset();
  lent_to_ = borrower;
  std::string detail =
      "serial port " + current_path_.string() + " lent to " + borrower + "; waiting for it back";
  log_->info("{}", detail);
  return {ReadStatus::kDisconnected, 0, detail};
}

// While the job holds its borrow lock: nothing to read. Then the port is opened again as a
// returning device would be (TryToReturn), even with reconnect off.
ReadResult SerialSource::WaitForLoanEnd(Clock::TimePoint deadline) {
  Clock& clock = schedule_.clock();
  while (auto borrower = devices::ActiveSerialBorrower(options_.lock_dir, current_path_)) {
    // Named once the borrower has written its pid and command: a loan seen in the instant between
    // its lock and its text was "another tockctl", and "is back from" should say who it was.
    lent_to_ = *borrower;
    const Clock::TimePoint now = clock.Now();
    if (now >= deadline) return {ReadStatus::kTimeout, 0, {}};
    clock.SleepUntil(std::min(deadline, now + options_.loan_check_interval));
  }
  returning_from_loan_ = true;
  return TryToReturn(deadline);
}

ReadResult SerialSource::ReadOpenPort(std::span<uint8_t> buf, milliseconds timeout) {
  devices::SerialRead got = port_->Read(buf, timeout);
  switch (got.status) {
    case devices::SerialRead::Status::kData:
      return {ReadStatus::kData, got.bytes, {}};
    case devices::SerialRead::Status::kTimeout:
      return {ReadStatus::kTimeout, 0, {}};
    case devices::SerialRead::Status::kGone:
      break;
  }
  return Lost(got.why);
}

ReadResult SerialSource::Lost(const std::string& why) {
  port_.reset();
  std::string gone = "serial port " + current_path_.string() + " disappeared (" + why + ")";
  if (!options_.reconnect) {
    ended_ = true;
    end_detail_ = gone;
    log_->warn("{}", gone);
    return {ReadStatus::kEnd, 0, gone};
  }
  schedule_.Attempted();
  log_->warn("{}; waiting for it to come back", gone);
  return {ReadStatus::kDisconnected, 0, gone + "; waiting for it to come back"};
}

ReadResult SerialSource::TryToReturn(Clock::TimePoint deadline) {
  while (schedule_.WaitUntilDue(deadline)) {
    schedule_.Attempted();
    std::optional<fs::path> path = ReturningPath();
    if (!path) continue;
    devices::SerialOpenAttempt attempt =
        devices::OpenSerialPort(*path, options_.baud, options_.lock_dir, *log_, options_.lends_as);
    if (!attempt.port) {
      log_->debug("serial port not back yet: {}", attempt.error->Describe());
      continue;
    }
    fs::path before = current_path_;
    bool first = !was_open_;
    Adopt(std::move(attempt.port));
    std::string detail = "serial port " + before.string() + (first ? " appeared" : " is back");
    if (current_path_ != before) detail += " as " + current_path_.string();
    if (lent_to_) detail += " from " + *lent_to_;
    lent_to_.reset();
    returning_from_loan_ = false;
    log_->info("{}", detail);
    return {ReadStatus::kReconnected, 0, detail};
  }
  return {ReadStatus::kTimeout, 0, {}};
}

// Where the device is now: found by USB serial number when it has one (it may have been renamed,
// and another device may have taken its old name), otherwise the configured path.
std::optional<fs::path> SerialSource::ReturningPath() const {
  if (!identity_ && selector_)
    return devices::FindUsbSerialPort(options_.sysfs_root, options_.dev_dir, *selector_);
  if (!identity_) return options_.path;
  std::optional<std::string> name = devices::FindTtyByUsbIdentity(options_.sysfs_root, *identity_);
  if (!name) return std::nullopt;
  if (devices::TtyNameOf(options_.sysfs_root, options_.path) == *name) return options_.path;
  return options_.dev_dir / *name;
}

void SerialSource::Adopt(std::unique_ptr<devices::SerialPort> port) {
  port_ = std::move(port);
  was_open_ = true;
  current_path_ = port_->path();
  std::string name = devices::TtyNameOf(options_.sysfs_root, current_path_);
  if (auto id = devices::LookUpTtyUsbIdentity(options_.sysfs_root, name)) identity_ = id;
  if (identity_) {
    log_->debug("serial port {} is USB {}:{} serial {} interface {}", current_path_.string(),
                identity_->vendor_id, identity_->product_id, identity_->serial,
                identity_->interface_number);
  }
}

std::string SerialSource::Describe() const {
  return "serial " + current_path_.string() + " @" + std::to_string(options_.baud);
}

void SerialSource::Write(std::span<const uint8_t> bytes) {
  if (!port_ && lent_to_) {
    throw Error(ErrorCategory::kTransport, Describe() + " is lent to " + *lent_to_,
                devices::DeviceContext(current_path_.string(), "write"),
                "type again once it is back");
  }
  if (!port_) {
    throw Error(ErrorCategory::kTransport, Describe() + " is not connected",
                devices::DeviceContext(current_path_.string(), "write"),
                "wait for the device to come back");
  }
  port_->Write(bytes);
}

}  // namespace tockctl::tracer
