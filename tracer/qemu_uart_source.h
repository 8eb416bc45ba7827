// Trace bytes from the UART of the QEMU that `tockctl flash` started, found through its state
// file: waiting for one to start if asked, and following it when a new `tockctl flash` restarts
// QEMU on another port.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include "devices/tcp_connector.h"
#include "tracer/byte_source.h"
#include "tracer/reconnect_schedule.h"
#include "tracer/tcp_source.h"

namespace tockctl::tracer {

/// Finds the UART endpoint of the recorded QEMU.
class QemuUartLocator {
 public:
  virtual ~QemuUartLocator() = default;
  /// The endpoint of the QEMU that runs now, or nullopt if none does. Throws Error(kInvalidInput)
  /// for a state file tockctl did not write.
  virtual std::optional<devices::TcpEndpoint> Find() = 0;
  /// The endpoint, or Error(kTransport) saying why there is none and how to start one.
  virtual devices::TcpEndpoint Require() = 0;
};

/// The QEMU instance `name` recorded in its state file in `state_dir` (devices/qemu_instance.h),
/// read again on every Find so that a QEMU restarted on another port is followed.
class RecordedQemuUartLocator : public QemuUartLocator {
 public:
  explicit RecordedQemuUartLocator(std::filesystem::path state_dir, std::string name = "default");
  std::optional<devices::TcpEndpoint> Find() override;
  devices::TcpEndpoint Require() override;

 private:
  std::filesystem::path state_dir_;
  std::string name_;
};

/// How to behave when no QEMU runs.
struct QemuUartOptions {
  bool wait_for_qemu = false;  ///< None at start: wait for one instead of failing.
  /// QEMU went away: wait for it (on its port, or a newly recorded one) instead of ending.
  bool reconnect = true;
  std::chrono::milliseconds poll_interval{250};  ///< How often the state file is read.
};

/// Reads the recorded QEMU's UART (a TcpSource underneath).
class QemuUartSource : public ByteSource {
 public:
  /// Connects to the recorded QEMU. Throws locator.Require()'s error when none runs and
  /// !wait_for_qemu, and TcpSource's errors.
  QemuUartSource(QemuUartLocator& locator, QemuUartOptions options,
                 std::shared_ptr<spdlog::logger> log);

  /// As TcpSource::Read; while waiting for a QEMU, kTimeout. A QEMU recorded on a new port after
  /// the link was lost gives kReconnected and reading goes on there.
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  /// "QEMU UART tcp 127.0.0.1:4444", or "QEMU (waiting for tockctl flash to start one)".
  std::string Describe() const override;
  /// Sends bytes to the QEMU UART; Error(kTransport) while no QEMU is connected.
  void Write(std::span<const uint8_t> bytes) override;

 private:
  ReadResult WaitForQemu(Clock::TimePoint deadline);
  std::optional<ReadResult> FollowRestartedQemu();
  void Connect(const devices::TcpEndpoint& endpoint);

  QemuUartLocator& locator_;
  QemuUartOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  ReconnectSchedule schedule_;
  std::unique_ptr<TcpSource> tcp_;
  devices::TcpEndpoint endpoint_;
  bool lost_ = false;
};

}  // namespace tockctl::tracer
