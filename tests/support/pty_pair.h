// A pseudo-terminal for serial port tests and benchmarks (devices, tracer, flasher, the CLI,
// bench/): the master plays the device, the slave path is the port the code under test opens.
// No GoogleTest here (bench/ uses it): failures throw std::runtime_error, which fails a test.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace tockctl::testing {

/// How the device side holds the pty.
struct PtyOptions {
  /// Raw mode at 115200 baud, as a device's port; false leaves the pty cooked, as a shell leaves
  /// a terminal (for a pty that is a program's terminal rather than a device).
  bool raw = true;
  /// Also keep a descriptor of the slave open, so that the master stays usable (no EIO, no lost
  /// bytes) while the code under test closes and re-opens the port.
  bool hold_slave = false;
  /// Reads of master() return EAGAIN when nothing is there instead of blocking.
  bool nonblocking_master = false;
};

/// A pty pair whose slave side stands in for a serial device node (or a terminal).
class PtyPair {
 public:
  /// Opens a new pty; throws std::runtime_error when the host has none.
  explicit PtyPair(PtyOptions options = {});
  ~PtyPair() { CloseMaster(); }
  PtyPair(const PtyPair&) = delete;
  PtyPair& operator=(const PtyPair&) = delete;

  const std::string& slave_path() const { return slave_path_; }
  /// The device's end (-1 once closed).
  int master() const { return master_; }
  /// The line rate the slave side is set to (what the host asked for), 0 if unknown or closed.
  uint32_t SlaveBaud() const;
  /// Writes all of `bytes` to the master (the device sending); throws std::runtime_error when
  /// the write fails.
  void Write(std::span<const uint8_t> bytes) const;
  void Write(const std::string& text) const;
  /// Writes `bytes` paced like a UART at `baud` (8N1: baud/10 bytes per second).
  void WritePaced(std::span<const uint8_t> bytes, uint32_t baud) const;
  /// Closes the master (and the held slave): the device is gone, the port hangs up and
  /// /dev/pts/N disappears.
  void CloseMaster();

 private:
  void Open(PtyOptions options);

  int master_ = -1;
  int held_slave_ = -1;
  std::string slave_path_;
};

}  // namespace tockctl::testing
