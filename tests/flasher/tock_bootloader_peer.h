// The device side of Tock's serial bootloader protocol, written from the behaviour of the real
// bootloaders (tock-bootloader 1.0.1 on hail/imix, 1.1.x on nRF52 boards, the old C bootloader)
// and run on a pseudo-terminal: in-memory flash, attributes, CRC, INFO JSON, baud change,
// 1200-baud re-enumeration, DTR/RTS reset, line-rate pacing, and faults on demand. Used by tests
// and bench/. docs/flashing.md#tock-bootloader-versions lists the per-version facts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "flasher/serial_link.h"
#include "tests/support/pty_pair.h"

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
    kWrongCrc,       ///< Answers CRC_INTERNAL_FLASH with a CRC one bit off (flash is intact).
  };
  Kind kind = Kind::kNoReply;
  uint8_t command = 0;  ///< Command byte it applies to; 0 = any command but RESET.
  int skip = 0;         ///< Matching commands let through before the fault starts.
  int times = 1;        ///< Matching commands affected; -1 = all that follow.
  uint8_t refuse_code = 0x12;
};

/// Which bootloader the peer is; each behaves like the real one.
enum class PeerBootloader {
  /// tock-bootloader 1.1.x on an nRF52: ERASE_PAGE fills the 512 bytes with 0x01 (4 KiB
  /// hardware pages, flash_large_to_small.rs); a 600-byte receive buffer, so a WRITE_PAGE frame
  /// with more than 79 escaped 0xFC bytes overflows it and the bootloader goes deaf; EXIT resets
  /// the chip into the kernel; replies to CRC and INFO are not escaped.
  kRust11,
  /// tock-bootloader 1.0.1 (hail, imix): erased flash reads 0xFF; EXIT and SET_START_ADDRESS are
  /// not understood: the bootloader answers nothing and stops listening; always starts the
  /// kernel at 0x10000; INFO has no start_address.
  kRust101,
  /// The old C bootloader (version 0.x, hail/imix): erased flash reads 0xFF; every reply, the
  /// CRC and INFO included, is escaped; EXIT and SET_START_ADDRESS get UNKNOWN.
  kLegacyC,
};

struct PeerOptions {
  PeerBootloader bootloader = PeerBootloader::kRust11;
  uint32_t flash_size = 512 * 1024;   ///< Flash at address 0.
  uint32_t bootloader_end = 0x10000;  ///< [0, this) is the bootloader: writes get BADADDR.
  std::string version = "1.1.3";
  uint32_t start_address = 0x10000;
  /// Attribute slots 0.. as the bootloader's build stores them (key, value).
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"board", "nano33ble"}, {"arch", "cortex-m4"}, {"appaddr", "0x50000"}};
  bool in_bootloader = true;  ///< false: a running kernel that ignores the protocol.
  bool touch_resets = true;   ///< 1200 baud while running resets into the bootloader.
  std::chrono::milliseconds reenumerate_delay{30};
  bool supports_baud_change = true;  ///< Only with kLegacyC (the Rust ones answer UNKNOWN).
  uint32_t baud = 115200;            ///< Device line rate at start.
  bool pace = false;                 ///< Receive and send at the line rate (10 bits/byte).
  uint32_t idle_gap_bits = 100;      ///< With pace: idle time before a command is handled.
  std::string serial_number = "TOCK0001";
};

/// hail's bootloader 1.0.1 (board, arch and jldevice attributes as its build.rs writes them).
PeerOptions Hail101Peer();
/// imix's C bootloader 0.6.0 (attributes as bootloader_board.h defines them).
PeerOptions ImixLegacyCPeer();
/// A 1.1.3 bootloader on an nRF52 board (`board` attribute as that board's build.rs writes it).
PeerOptions Nrf52Peer(const std::string& board, const std::string& appaddr);

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
  /// The chip leaves reset (DTR released): into the bootloader if the select line (RTS) is
  /// held, else into the kernel.
  void ReleaseReset(bool select_held);
  /// The running kernel prints `text` on its console UART (paced like replies with `pace`); a
  /// bootloader prints nothing, so this does nothing there.
  void KernelPrints(const std::string& text);
  /// Flash contents (for assertions) and preloading.
  std::vector<uint8_t> ReadFlash(uint32_t address, size_t length) const;
  void WriteFlash(uint32_t address, const std::vector<uint8_t>& data);

  /// Command bytes received, in order (RESET included).
  std::vector<uint8_t> commands() const;
  uint32_t device_baud() const;
  bool in_bootloader() const;
  /// True once the kernel runs: after an EXIT the bootloader honours, or a reset without select.
  bool kernel_started() const;
  /// True once the bootloader stopped listening (1.0.1 after EXIT, 1.1.x after an overflow).
  bool deaf() const;
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
