// A live capture for Wireshark (extcap --capture): the trace of one source, decoded and written as
// pcapng into the FIFO Wireshark reads, one write of whole blocks after every batch of input, so
// packets show up as they arrive. It ends when Wireshark sends SIGTERM or stops reading.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "tracer/byte_source.h"
#include "tracer/pcapng_writer.h"
#include "tracer/qemu_uart_source.h"
#include "tracer/record_filter.h"

namespace tockctl::tracer {

class SourceInventory;

/// The FIFO Wireshark created for the capture (or, for a path that does not exist, a new file).
/// The process must ignore SIGPIPE, so a reader that goes away shows as EPIPE.
class FifoBlockOutput : public BlockOutput {
 public:
  /// Opens `path` for writing. For a FIFO it waits until the reader has opened it, checking
  /// `stop` every 20 ms; if `stop` comes first, is_open() is false. Anything else is created or
  /// truncated. Throws Error(kIo) naming the path if it cannot be opened.
  FifoBlockOutput(std::string path, const std::atomic<bool>& stop);
  ~FifoBlockOutput() override;
  FifoBlockOutput(const FifoBlockOutput&) = delete;
  FifoBlockOutput& operator=(const FifoBlockOutput&) = delete;

  /// Writes all of `bytes`. Once the reader is gone (EPIPE), or a stop request interrupts a
  /// write the reader is not taking, drops them. Throws Error(kIo) for other write errors.
  void Write(std::span<const uint8_t> bytes) override;

  bool is_open() const { return fd_ >= 0; }
  /// Leaves the descriptor open when this object goes: the process's exit closes it. For an
  /// error that ends the capture: Wireshark (dumpcap) reads the extcap's stderr when the FIFO
  /// closes, so the FIFO must close after the error line is written, not while the error is
  /// still on its way to the top-level handler.
  void LeaveOpenUntilExit() { fd_ = -1; }
  /// True once a write found no reader (Wireshark stopped reading).
  bool reader_gone() const { return reader_gone_; }

 private:
  std::string path_;
  const std::atomic<bool>& stop_;
  int fd_ = -1;
  bool reader_gone_ = false;
};

/// How a capture ended.
enum class CaptureEnd {
  kStopped,      ///< The stop flag was set (SIGTERM or SIGINT).
  kReaderGone,   ///< Wireshark closed the FIFO.
  kSourceEnded,  ///< The device went away and reconnecting was not asked for.
};

/// The outcome of CaptureToPcapng.
struct CaptureResult {
  CaptureEnd end = CaptureEnd::kStopped;
  uint64_t records = 0;         ///< Records written.
  uint64_t console_pieces = 0;  ///< Console text pieces written (one packet each).
  std::string detail;  ///< kSourceEnded: the source's words ("tcp ...: the peer closed ...").
};

/// Decodes a live `source` (joined mid-stream) into pcapng on `output` until `stop` is set, the
/// reader goes away or the source ends. Throws the source's errors and Error(kIo) for a failing
/// output.
CaptureResult CaptureToPcapng(ByteSource& source, FifoBlockOutput& output,
                              const FilterOptions& filter, const std::string& application,
                              const Clock& clock, const std::atomic<bool>& stop);

/// The capture options Wireshark passes (the `arg`s of --extcap-config).
struct ExtcapCaptureOptions {
  std::string interface;                 ///< --extcap-interface
  std::string fifo;                      ///< --fifo
  std::optional<int64_t> baud;           ///< --baud (serial)
  std::optional<int64_t> usb_interface;  ///< --usb-interface (USB)
  FilterOptions filter;                  ///< --ipc, --net, --process, --service, --iface
  bool reconnect = false;                ///< --reconnect
  bool wait = false;                     ///< --wait (QEMU)
  std::optional<std::string> save_raw;   ///< --save-raw FILE (replaced if it exists)
};

/// What a capture depends on.
struct ExtcapCaptureEnvironment {
  SourceInventory* inventory = nullptr;
  QemuUartLocator* qemu = nullptr;
  const Clock* clock = &SystemClock();  ///< Tests pass a ManualClock.
  const std::atomic<bool>* stop = nullptr;
  std::shared_ptr<spdlog::logger> log;
  std::string application = "tockctl";  ///< pcapng shb_userappl.
};

/// Opens the source behind `options.interface` and captures it into `options.fifo` until
/// Wireshark stops the capture. Throws Error(kTransport) when the interface's device is not
/// attached, cannot be opened, or went away (without --reconnect), Error(kUsage) for an
/// interface tockctl does not know, Error(kIo) when the FIFO cannot be opened or written.
void RunExtcapCapture(const ExtcapCaptureOptions& options, const ExtcapCaptureEnvironment& env);

}  // namespace tockctl::tracer
