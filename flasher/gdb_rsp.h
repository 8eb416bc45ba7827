// GDB Remote Serial Protocol framing: packets "$payload#xx", acknowledgements, binary escaping,
// run-length decoding, and the one place where replies become errors.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "flasher/link.h"

namespace tockctl::flasher {

/// GDB's CRC-32 for qCRC: polynomial 0x04C11DB7, initial 0xFFFFFFFF, MSB first, no final xor
/// (CRC-32/MPEG-2). Pass the previous value as `crc` to continue a running CRC.
uint32_t GdbCrc32(std::span<const uint8_t> data, uint32_t crc = 0xffffffff);

/// Escapes binary data for X/vFlashWrite packets: '#', '$', '}' and '*' become '}' then c ^ 0x20.
std::string EscapeBinary(std::span<const uint8_t> data);
/// Reverses EscapeBinary; throws Error(kTransport) for a trailing '}'.
std::vector<uint8_t> UnescapeBinary(std::string_view text);
/// "$payload#xx" with the modulo-256 checksum in lowercase hex.
std::string FramePacket(std::string_view payload);
/// Expands run-length encoding ("0* " is "0000"); throws Error(kTransport) if malformed.
std::string ExpandRunLength(std::string_view payload);
/// Lowercase hex of `data`.
std::string ToHex(std::span<const uint8_t> data);
/// Bytes of a hex string; throws Error(kTransport) naming `what` if it is not hex.
std::vector<uint8_t> FromHex(std::string_view hex, const std::string& what);

/// A client speaking RSP packets over a Link. Transport failures (link errors, timeouts, bad
/// checksums in no-ack mode, NAKs) throw Error(kTransport); "Exx" / "E.text" replies throw
/// Error(kDeviceReported) with the code. Empty replies (unsupported packet) are returned as "".
class GdbRspClient {
 public:
  GdbRspClient(Link& link, std::chrono::milliseconds timeout, std::shared_ptr<spdlog::logger> log);

  /// Sends `payload` and returns the reply payload (run-length encoding expanded).
  std::string Request(std::string_view payload, const std::string& operation);
  /// Sends every payload, keeping at most `window` unanswered, and calls `on_reply(i, reply)` in
  /// order. Replies are checked like Request; `operation_of(i)` names packet i in errors.
  void Pipeline(const std::vector<std::string>& payloads, size_t window,
                const std::function<std::string(size_t)>& operation_of,
                const std::function<void(size_t, const std::string&)>& on_reply);
  /// Sends a packet whose reply comes later or never (continue): waits only for the ack.
  void Send(std::string_view payload);
  /// Stops sending and expecting '+' acknowledgements (after QStartNoAckMode succeeded).
  void DisableAcks() { ack_mode_ = false; }
  bool ack_mode() const { return ack_mode_; }
  /// Overrides the reply timeout (qCRC over large ranges is slow on real probes).
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::string endpoint() const { return link_.Describe(); }

 private:
  void SendFrame(const std::string& frame);
  std::string ReadReply(const std::string& operation);
  bool ReadPacket(std::string& payload, const std::string& operation);
  uint8_t NextByte(const std::string& operation);
  void Refill(const std::string& operation);
  uint8_t ReadUntilHash(std::string& payload, const std::string& operation);
  void WaitForAck(const std::string& frame, const std::string& operation);
  std::string Checked(std::string reply, const std::string& operation) const;
  Error TransportFailure(const std::string& message, const std::string& operation) const;

  Link& link_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<spdlog::logger> log_;
  bool ack_mode_ = true;
  std::vector<uint8_t> buffer_;
  size_t buffer_pos_ = 0;
  size_t buffer_end_ = 0;
  size_t pending_acks_ = 0;
};

}  // namespace tockctl::flasher
