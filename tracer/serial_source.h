// Trace bytes from a serial port (USB CDC ACM, USB-UART adapter, pty), following the device when
// it disappears and comes back, possibly under another name.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "devices/serial_port.h"
#include "devices/tty_usb_identity.h"
#include "tracer/byte_source.h"
#include "tracer/reconnect_schedule.h"

namespace tockctl::tracer {

/// Where and how to read a serial port.
struct SerialOptions {
  /// /dev/ttyACM0, /dev/serial/by-id/..., a pty slave; or VID:PID[:SERIAL], the tty of that USB
  /// device, found in sysfs (devices::PortAsUsbSelector).
  std::filesystem::path path;
  uint32_t baud = 115200;  ///< Line rate (8N1); any rate the driver accepts.
  /// Follow the device when it disappears (kDisconnected, then kReconnected). If false, the first
  /// disappearance ends the stream with kEnd.
  bool reconnect = true;
  /// If the port does not exist yet, wait for it (Read returns kTimeout, then kReconnected once it
  /// appears) instead of throwing.
  bool wait_for_device = false;
  std::chrono::milliseconds reconnect_interval{250};  ///< How often to look for the device.
  std::filesystem::path lock_dir =
      devices::DefaultSerialLockDir();        ///< Where lock files naming pids go.
  std::filesystem::path sysfs_root = "/sys";  ///< To find a USB port again by serial number.
  std::filesystem::path dev_dir = "/dev";     ///< Where a renamed tty's node is (dev_dir/ttyACM1).
  /// "console" or "trace": lend the port to a tockctl job that asks for it (`tockctl flash` on the
  /// same port): close it, wait for the job to end, open it again (devices/serial_lending.h).
  /// Empty: never lend. A loan is followed even with reconnect off.
  std::string lends_as;
  /// How often to look for a job asking for the port.
  std::chrono::milliseconds loan_check_interval{50};
};

/// Reads a serial port raw 8N1, holding an exclusive lock on it for as long as it is open.
class SerialSource : public ByteSource {
 public:
  /// Opens and locks the port. Throws Error(kTransport) naming the port when it is missing, or no
  /// tty belongs to the USB device it names (unless wait_for_device), not permitted (with a
  /// dialout hint), in use (naming the process holding it when known), not a tty, or refuses the
  /// baud rate; Error(kUsage) when the USB device it names has several ttys.
  SerialSource(SerialOptions options, std::shared_ptr<spdlog::logger> log,
               Clock& clock = SystemClock());

  /// Data, kTimeout, or on loss of the device kDisconnected once (kEnd if reconnect is off), then
  /// kTimeout while waiting and kReconnected when it is back. A port lent to a job reads as
  /// kDisconnected ("lent to tockctl flash, pid N") and kReconnected once it is back.
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  /// "serial /dev/ttyACM0 @115200" (the path currently open).
  std::string Describe() const override;
  /// Sends bytes to the port; Error(kTransport) while the device is away or when it fails.
  void Write(std::span<const uint8_t> bytes) override;

 private:
  ReadResult ReadOpenPort(std::span<uint8_t> buf, std::chrono::milliseconds timeout);
  std::optional<std::string> BorrowerAsking();
  ReadResult Lend(const std::string& borrower);
  ReadResult WaitForLoanEnd(Clock::TimePoint deadline);
  ReadResult Lost(const std::string& why);
  ReadResult TryToReturn(Clock::TimePoint deadline);
  std::optional<std::filesystem::path> ReturningPath() const;
  std::optional<std::filesystem::path> FirstPath() const;
  void Adopt(std::unique_ptr<devices::SerialPort> port);

  SerialOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  ReconnectSchedule schedule_;
  std::unique_ptr<devices::SerialPort> port_;
  std::filesystem::path current_path_;
  std::optional<devices::TtyUsbIdentity> identity_;
  std::optional<devices::UsbSelector> selector_;  ///< Set when options_.path names a USB device.
  bool was_open_ = false;
  bool ended_ = false;
  std::string end_detail_;
  std::optional<std::string> lent_to_;  ///< The job that borrowed the port, until it is back.
  bool returning_from_loan_ = false;    ///< The loan ended; the port is being opened again.
  std::optional<Clock::TimePoint> next_loan_check_;
};

}  // namespace tockctl::tracer
