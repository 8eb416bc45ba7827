// A pseudo-terminal pair for tests: the peer keeps the master, the code under test opens the
// slave path like any serial port. Not a test file itself (no gtest); also used by bench/.
#pragma once

#include <cstdint>
#include <string>

namespace tockctl::flasher::testing {

/// One pty pair in raw mode. The peer also holds a slave descriptor so the master stays usable
/// while the code under test closes and re-opens the port.
class PseudoTerminal {
 public:
  /// Creates the pair; throws std::runtime_error if the host has no ptys.
  PseudoTerminal();
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  int master() const { return master_; }
  const std::string& slave_path() const { return slave_path_; }
  /// The line rate the slave side is set to (what the host asked for), 0 if unknown.
  uint32_t SlaveBaud() const;
  /// Closes both ends the peer holds: the host's descriptor sees a hang-up.
  void Close();
  bool open() const { return master_ >= 0; }

 private:
  int master_ = -1;
  int held_slave_ = -1;
  std::string slave_path_;
};

}  // namespace tockctl::flasher::testing
