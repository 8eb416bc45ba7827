// A pseudo-terminal for serial port tests (devices, tracer, the CLI): the master plays the
// device, the slave is the port.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace tockctl::testing {

/// A pty pair whose slave side stands in for a serial device node.
class PtyPair {
 public:
  /// Opens a new pty (raw mode); aborts the test on failure.
  PtyPair();
  ~PtyPair() { CloseMaster(); }
  PtyPair(const PtyPair&) = delete;
  PtyPair& operator=(const PtyPair&) = delete;
  const std::string& slave_path() const { return slave_path_; }
  int master() const { return master_; }
  /// Writes all of `bytes` to the master (the device sending).
  void Write(std::span<const uint8_t> bytes) const;
  void Write(const std::string& text) const;
  /// Writes `bytes` paced like a UART at `baud` (8N1: baud/10 bytes per second).
  void WritePaced(std::span<const uint8_t> bytes, uint32_t baud) const;
  /// Closes the master: the device is gone and /dev/pts/N disappears.
  void CloseMaster();

 private:
  int master_ = -1;
  std::string slave_path_;
};

}  // namespace tockctl::testing
