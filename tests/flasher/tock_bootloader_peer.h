// The device side of Tock's serial bootloader protocol, written from the protocol facts and run
// on a pseudo-terminal: in-memory flash, attributes, CRC, INFO JSON, baud change, 1200-baud
// re-enumeration, line-rate pacing, and faults on demand. Used by tests and bench/.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flasher/serial_link.h"
#include "tests/flasher/pseudo_terminal.h"

namespace tockctl::flasher::testing {

/// Something the peer does wrong on purpose.
struct PeerFault {
  enum class Kind {
    kNoReply,        ///< Swallows the command.
    kCorruptHeader,  ///< Sends 0x00 where the 0xFC of the reply belongs.
    kStrayEscape,    ///< Puts FC 01 into the reply data.
    kWrongCode,      ///< Answers PONG instead of the right code.
    kTruncate,       ///< Sends the header and only half of the reply data.
    kRefuse,         ///< Answers `refuse_code` (BADADDR, INTERROR, ...).
    kVanish,         ///< Closes the pty master: the port disappears mid-transfer.
    kCorruptFlash,   ///< Acknowledges a WRITE_PAGE but stores one wrong byte.
    kExtraBytes,     ///< Appends two stray bytes to the reply (an old bootloader's CRC bug).
  };
  Kind kind = Kind::kNoReply;
  uint8_t command = 0;  ///< Command byte it applies to; 0 = any command but RESET.
  int skip = 0;         ///< Matching commands let through before the fault starts.
  int times = 1;        ///< Matching commands affected; -1 = all that follow.
  uint8_t refuse_code = 0x12;
};

struct PeerOptions {
  uint32_t flash_size = 512 * 1024;   ///< Flash at address 0.
  uint32_t bootloader_end = 0x10000;  ///< [0, this) is the bootloader: writes get BADADDR.
  std::string version = "1.1.3";
  uint32_t start_address = 0x10000;
  bool in_bootloader = true;  ///< false: a running kernel that ignores the protocol.
  bool touch_resets = true;   ///< 1200 baud while running resets into the bootloader.
  std::chrono::milliseconds reenumerate_delay{30};
  bool supports_baud_change = true;
  uint32_t baud = 115200;        ///< Device line rate at start.
  bool pace = false;             ///< Receive and send at the line rate (10 bits/byte).
  uint32_t idle_gap_bits = 100;  ///< With pace: idle time before a command is handled.
  std::string serial_number = "TOCK0001";
};

/// Runs the bootloader on its own thread until destroyed.
class TockBootloaderPeer {
 public:
  explicit TockBootloaderPeer(PeerOptions options = {});
  ~TockBootloaderPeer();

  /// The pty slave the host should open; empty while the device re-enumerates or after it vanished.
  std::string port_path() const;
  /// Lists this device's port (with its serial number) like a host would.
  SerialPortLister& lister();

  void AddFault(PeerFault fault);
  /// What a DTR/RTS reset with the select line held does: enter the bootloader.
  void EnterBootloader();
  /// Flash contents (for assertions) and preloading.
  std::vector<uint8_t> ReadFlash(uint32_t address, size_t length) const;
  void WriteFlash(uint32_t address, const std::vector<uint8_t>& data);

  /// Command bytes received, in order (RESET included).
  std::vector<uint8_t> commands() const;
  uint32_t device_baud() const;
  bool in_bootloader() const;
  bool exited() const;
  int reenumerations() const;
  uint32_t stored_start_address() const;
  size_t garbled_bytes() const;  ///< Bytes dropped because host and device baud differed.

 private:
  struct State;
  class Lister;
  void Run();
  void Step();
  void Feed(const uint8_t* data, size_t n);
  std::vector<uint8_t> Handle(uint8_t command, const std::vector<uint8_t>& payload);
  std::vector<uint8_t> HandleInfo();
  std::vector<uint8_t> HandleFlash(uint8_t command, const std::vector<uint8_t>& payload);
  std::vector<uint8_t> HandleAttribute(uint8_t command, const std::vector<uint8_t>& payload);
  std::vector<uint8_t> HandleControl(uint8_t command, const std::vector<uint8_t>& payload);
  bool ApplyFaults(uint8_t command, const std::vector<uint8_t>& payload,
                   std::vector<uint8_t>& reply);
  void SendReply(const std::vector<uint8_t>& reply);
  void PaceReceive(size_t n);

  PeerOptions options_;
  std::unique_ptr<State> state_;
  std::unique_ptr<Lister> lister_;
  mutable std::mutex mu_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tockctl::flasher::testing
