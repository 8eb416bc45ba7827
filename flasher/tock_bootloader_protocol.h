// Tock's serial bootloader protocol (tock/tock-bootloader, spoken by tockloader): byte framing
// with the 0xFC escape, the command set, and a client that turns every reply into data or into
// one clear error. Facts: docs/flashing-serial-usb.md#tock-bootloader.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "flasher/serial_link.h"

namespace tockctl::flasher {

/// The escape byte: a command ends with FC <cmd>, a reply starts with FC <rsp>, and a 0xFC
/// inside a payload is sent twice.
inline constexpr uint8_t kBootloaderEscape = 0xFC;
/// Pages are always 512 bytes on this protocol, whatever the chip's erase unit.
inline constexpr uint32_t kBootloaderPageSize = 512;
/// READ_RANGE returns at most this many bytes per command.
inline constexpr uint32_t kBootloaderMaxRead = 4095;
/// Attribute slots: 16 of 64 bytes (8-byte key, length byte, 55-byte value).
inline constexpr int kBootloaderAttributeCount = 16;
inline constexpr size_t kBootloaderAttributeSize = 64;
inline constexpr size_t kBootloaderAttributeMaxValue = 55;
/// INFO replies with a length byte and 192 bytes holding a JSON object.
inline constexpr size_t kBootloaderInfoSize = 193;
/// Sent before a command: a junk byte, then FC 05 (RESET) clears the bootloader's buffer.
inline constexpr uint8_t kBootloaderSync[3] = {0x00, 0xFC, 0x05};
/// Most 0xFC bytes one WRITE_PAGE may carry to bootloader 1.1.x: it receives a command into a
/// 600-byte buffer, and sync (3) + address (4) + page (512) + FC 07 (2) leave 79 bytes for the
/// second copy of each escaped 0xFC. One more and the bootloader drops the page and goes deaf.
inline constexpr size_t kBootloader11MaxEscapes = 79;

/// Bootloader generations that differ on the wire (docs/flashing.md#tock-bootloader-versions).
enum class BootloaderGeneration {
  kLegacyC,  ///< The C bootloader (versions 0.x): escapes every reply, CRC and INFO included;
             ///< answers UNKNOWN to EXIT and SET_START_ADDRESS; erased flash reads 0xFF.
  kRust10,   ///< tock-bootloader 1.0.x (hail, imix): EXIT and SET_START_ADDRESS get no reply and
             ///< the bootloader stops listening; erased flash reads 0xFF.
  kRust11,   ///< 1.1.x and later (nRF52 boards): EXIT resets into the kernel; ERASE_PAGE fills
             ///< with 0x01; at most kBootloader11MaxEscapes 0xFC bytes per WRITE_PAGE.
};

/// The generation an INFO "version" names: "0.x" is the C bootloader, "1.0.x" is 1.0, anything
/// else (1.1.x, newer, or no version) is taken as 1.1.
BootloaderGeneration GenerationOf(std::string_view version);
/// True if ERASE_PAGE leaves the page reading 0xFF on this generation.
bool ErasedPageReadsFF(BootloaderGeneration generation);
/// Number of 0xFC bytes in `bytes` (each is sent twice).
size_t CountEscapeBytes(std::span<const uint8_t> bytes);

/// Command bytes (host to bootloader).
enum class BootloaderCommand : uint8_t {
  kPing = 0x01,
  kInfo = 0x03,
  kId = 0x04,
  kReset = 0x05,
  kErasePage = 0x06,
  kWritePage = 0x07,
  kReadRange = 0x11,
  kSetAttribute = 0x13,
  kGetAttribute = 0x14,
  kCrcInternalFlash = 0x15,
  kChangeBaudRate = 0x21,
  kExit = 0x22,
  kSetStartAddress = 0x23,
};

/// Reply bytes (bootloader to host).
enum class BootloaderResponse : uint8_t {
  kOverflow = 0x10,
  kPong = 0x11,
  kBadAddr = 0x12,
  kInternalError = 0x13,
  kBadArgs = 0x14,
  kOk = 0x15,
  kUnknown = 0x16,
  kXfTimeout = 0x17,
  kXfEpe = 0x18,
  kCrcRx = 0x19,
  kReadRange = 0x20,
  kXrRange = 0x21,
  kGetAttribute = 0x22,
  kCrcInternalFlash = 0x23,
  kCrcXf = 0x24,
  kInfo = 0x25,
  kChangeBaudFail = 0x26,
};

/// "WRITE_PAGE", or "0x2a" for a byte that is not a command.
std::string BootloaderCommandName(uint8_t command);
/// "BADADDR", or "0x2a" for a byte that is not a reply code.
std::string BootloaderResponseName(uint8_t response);
/// What an error reply means in plain words, or empty for a reply that is not an error.
std::string BootloaderResponseMeaning(uint8_t response);

/// Doubles every 0xFC in `payload`.
std::vector<uint8_t> EscapeBootloaderPayload(std::span<const uint8_t> payload);
/// The bytes of one command: [sync] escaped(payload) FC cmd.
std::vector<uint8_t> EncodeBootloaderCommand(BootloaderCommand command,
                                             std::span<const uint8_t> payload, bool sync);

/// What INFO reported.
struct BootloaderInfo {
  std::string json;                       ///< The raw JSON text.
  std::string version;                    ///< "version" member, empty if absent.
  std::string name;                       ///< "name" member, empty if absent.
  std::optional<uint32_t> start_address;  ///< "start_address" member (newer bootloaders).
  BootloaderGeneration generation = BootloaderGeneration::kRust11;  ///< From `version`.
};

/// One attribute slot; `present` is false for an erased or empty slot.
struct BootloaderAttribute {
  bool present = false;
  std::string key;
  std::vector<uint8_t> value;
};

/// Decodes a 64-byte attribute slot (bounds-checked).
BootloaderAttribute DecodeBootloaderAttribute(std::span<const uint8_t> slot);
/// Decodes an INFO reply payload; throws Error(kDeviceReported) if it holds no JSON object.
BootloaderInfo DecodeBootloaderInfo(std::span<const uint8_t> payload, const std::string& device);

/// Timing of one client.
struct BootloaderTimeouts {
  /// Longest silence accepted while waiting for (the rest of) a reply.
  std::chrono::milliseconds reply{500};
  /// Attempts for an idempotent command whose reply is lost or garbled.
  int attempts = 3;
};

/// Talks to a Tock bootloader over a SerialLink. Lost, garbled or truncated replies are
/// Error(kTransport); error codes sent by the bootloader are Error(kDeviceReported); both are
/// made in one place (Transact).
class TockBootloaderClient {
 public:
  /// Uses `link` (not owned; swap it with set_link after re-opening a port).
  TockBootloaderClient(SerialLink& link, BootloaderTimeouts timeouts,
                       std::shared_ptr<spdlog::logger> log);

  void set_link(SerialLink& link) { link_ = &link; }
  /// How replies are framed; Info() sets it from the version the bootloader reports.
  void set_generation(BootloaderGeneration generation) { generation_ = generation; }
  SerialLink& link() { return *link_; }

  /// One PING; true on PONG, false on silence or garbage (never throws for those).
  bool TryPing();
  /// PING; throws if there is no PONG.
  void Ping();
  /// INFO; also adopts the generation it reports (see set_generation).
  BootloaderInfo Info();
  /// ID; nullopt if the bootloader does not know the command (released versions do not).
  std::optional<std::vector<uint8_t>> Id();
  /// Sends the sync sequence alone (RESET has no reply).
  void Reset();
  void ErasePage(uint32_t address);
  /// Writes one 512-byte page at a page-aligned address.
  void WritePage(uint32_t address, std::span<const uint8_t> page);
  /// Reads [address, address+length) in READ_RANGE chunks.
  std::vector<uint8_t> ReadRange(uint32_t address, uint32_t length);
  /// Stores key (1..8 bytes) = value (1..55 bytes) in slot `index` (0..15); throws Error(kUsage)
  /// for arguments the protocol cannot carry.
  void SetAttribute(int index, std::string_view key, std::span<const uint8_t> value);
  BootloaderAttribute GetAttribute(int index);
  /// The bootloader's CRC-32 of [address, address+length) (unescaped from the C bootloader).
  uint32_t CrcInternalFlash(uint32_t address, uint32_t length);
  /// Two-step baud change; false (link back at the old rate) if the bootloader declines or the
  /// confirmation at the new rate is lost. Throws only if the link itself fails.
  bool ChangeBaudRate(uint32_t old_baud, uint32_t new_baud);
  /// Asks the bootloader to leave and start the kernel (no reply).
  void Exit();
  void SetStartAddress(uint32_t address);

 private:
  struct Exchange;
  Exchange ExchangeOnce(BootloaderCommand command, std::span<const uint8_t> payload, bool sync,
                        uint8_t expected, size_t reply_size, bool escaped_reply);
  std::vector<uint8_t> Transact(BootloaderCommand command, std::span<const uint8_t> payload,
                                BootloaderResponse expected, size_t reply_size,
                                const std::string& operation, bool escaped_reply = true);
  void ReadReply(Exchange& ex, size_t reply_size, bool escaped_reply);
  /// The one place a failed exchange becomes an Error (transport or device-reported).
  Error ReplyError(const Exchange& ex, int attempts, const std::string& operation) const;

  SerialLink* link_;
  BootloaderTimeouts timeouts_;
  std::shared_ptr<spdlog::logger> log_;
  BootloaderGeneration generation_ = BootloaderGeneration::kRust11;
};

}  // namespace tockctl::flasher
