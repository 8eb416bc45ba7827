#include "flasher/gdb_rsp.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

constexpr size_t kMaxReplySize = 1 << 20;
constexpr int kMaxRetransmits = 3;

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i << 24;
    for (int bit = 0; bit < 8; ++bit) c = (c & 0x80000000u) ? (c << 1) ^ 0x04c11db7u : c << 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Shorten(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out(text.substr(0, kMax));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '.';
  if (text.size() > kMax) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace

uint32_t GdbCrc32(std::span<const uint8_t> data, uint32_t crc) {
  for (uint8_t b : data) crc = (crc << 8) ^ kCrcTable[((crc >> 24) ^ b) & 0xff];
  return crc;
}

std::string EscapeBinary(std::span<const uint8_t> data) {
  std::string out;
  out.reserve(data.size() + data.size() / 32);
  for (uint8_t b : data) {
    if (b == '#' || b == '$' || b == '}' || b == '*') {
      out.push_back('}');
      out.push_back(static_cast<char>(b ^ 0x20));
    } else {
      out.push_back(static_cast<char>(b));
    }
  }
  return out;
}

std::vector<uint8_t> UnescapeBinary(std::string_view text) {
  std::vector<uint8_t> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '}') {
      out.push_back(static_cast<uint8_t>(text[i]));
      continue;
    }
    if (++i == text.size())
      throw Error(ErrorCategory::kTransport, "binary reply ends in an escape character");
    out.push_back(static_cast<uint8_t>(text[i] ^ 0x20));
  }
  return out;
}

std::string FramePacket(std::string_view payload) {
  uint8_t sum = 0;
  for (char c : payload) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum);
  std::string out;
  out.reserve(payload.size() + 4);
  out.push_back('$');
  out.append(payload);
  out.append(tail);
  return out;
}

std::string ExpandRunLength(std::string_view payload) {
  if (payload.find('*') == std::string_view::npos) return std::string(payload);
  std::string out;
  out.reserve(payload.size());
  for (size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] != '*') {
      out.push_back(payload[i]);
      continue;
    }
    if (out.empty() || i + 1 == payload.size())
      throw Error(ErrorCategory::kTransport, "malformed run-length encoding in a reply");
    int count = static_cast<unsigned char>(payload[++i]) - 29;
    if (count < 3 || count > 97)
      throw Error(ErrorCategory::kTransport, "malformed run-length encoding in a reply");
    out.append(static_cast<size_t>(count), out.back());
  }
  return out;
}

std::string ToHex(std::span<const uint8_t> data) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '0');
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::vector<uint8_t> FromHex(std::string_view hex, const std::string& what) {
  if (hex.size() % 2 != 0)
    throw Error(ErrorCategory::kTransport,
                what + " is not hex (odd length " + std::to_string(hex.size()) + ")");
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      throw Error(ErrorCategory::kTransport, what + " is not hex: \"" + Shorten(hex) + "\"");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

GdbRspClient::GdbRspClient(Link& link, std::chrono::milliseconds timeout,
                           std::shared_ptr<spdlog::logger> log)
    : link_(link), timeout_(timeout), log_(std::move(log)) {}

Error GdbRspClient::TransportFailure(const std::string& message,
                                     const std::string& operation) const {
  ErrorContext ctx;
  ctx.device = link_.Describe();
  ctx.operation = operation;
  return Error(ErrorCategory::kTransport, message, ctx);
}

void GdbRspClient::SendFrame(const std::string& frame) {
  log_->trace("gdb -> {}", Shorten(frame));
  link_.Write(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(frame.data()), frame.size()));
}

void GdbRspClient::Refill(const std::string& operation) {
  buffer_.resize(size_t{64} * 1024);
  size_t n = 0;
  try {
    n = link_.Read(buffer_, timeout_);
  } catch (const Error& e) {
    throw e.WithContext(ErrorContext{{}, {}, {}, {}, {}, link_.Describe(), operation});
  }
  if (n == 0)
    throw TransportFailure(
        "no reply from the gdb server within " + std::to_string(timeout_.count()) + " ms",
        operation);
  buffer_end_ = n;
  buffer_pos_ = 0;
}

uint8_t GdbRspClient::NextByte(const std::string& operation) {
  if (buffer_pos_ == buffer_end_) Refill(operation);
  return buffer_[buffer_pos_++];
}

// Appends bytes up to (not including) the next '#' to `payload`; consumes the '#'.
uint8_t GdbRspClient::ReadUntilHash(std::string& payload, const std::string& operation) {
  uint8_t sum = 0;
  for (;;) {
    if (buffer_pos_ == buffer_end_) Refill(operation);
    const uint8_t* start = buffer_.data() + buffer_pos_;
    size_t available = buffer_end_ - buffer_pos_;
    const void* hash = std::memchr(start, '#', available);
    size_t n = hash ? static_cast<size_t>(static_cast<const uint8_t*>(hash) - start) : available;
    for (size_t i = 0; i < n; ++i) sum = static_cast<uint8_t>(sum + start[i]);
    payload.append(reinterpret_cast<const char*>(start), n);
    buffer_pos_ += n + (hash ? 1 : 0);
    if (hash) return sum;
    if (payload.size() > kMaxReplySize)
      throw TransportFailure("reply longer than 1 MiB without an end marker", operation);
  }
}

// Reads one "$...#xx" packet, skipping acks and notifications; returns whether the checksum held.
bool GdbRspClient::ReadPacket(std::string& payload, const std::string& operation) {
  for (;;) {
    uint8_t c = NextByte(operation);
    if (c == '+') continue;
    if (c == '-') {
      if (pending_acks_ > 0)
        throw TransportFailure("the gdb server rejected a packet (NAK)", operation);
      continue;
    }
    if (c == '$' || c == '%') {
      payload.clear();
      uint8_t sum = ReadUntilHash(payload, operation);
      int hi = HexValue(static_cast<char>(NextByte(operation)));
      int lo = HexValue(static_cast<char>(NextByte(operation)));
      if (c == '%') continue;  // asynchronous notification: not ours
      return hi >= 0 && lo >= 0 && static_cast<uint8_t>(hi << 4 | lo) == sum;
    }
  }
}

std::string GdbRspClient::ReadReply(const std::string& operation) {
  std::string payload;
  for (int attempt = 0;; ++attempt) {
    bool ok = ReadPacket(payload, operation);
    if (ok) {
      if (ack_mode_)
        link_.Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("+"), 1));
      log_->trace("gdb <- {}", Shorten(payload));
      return ExpandRunLength(payload);
    }
    if (!ack_mode_ || pending_acks_ > 0 || attempt == kMaxRetransmits)
      throw TransportFailure("reply with a bad checksum: \"" + Shorten(payload) + "\"", operation);
    link_.Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("-"), 1));
  }
}

std::string GdbRspClient::Checked(std::string reply, const std::string& operation) const {
  bool code =
      reply.size() == 3 && reply[0] == 'E' && HexValue(reply[1]) >= 0 && HexValue(reply[2]) >= 0;
  if (!code && reply.rfind("E.", 0) != 0) return reply;
  ErrorContext ctx;
  ctx.device = link_.Describe();
  ctx.operation = operation;
  std::string what =
      code ? "error " + reply.substr(1) : "error \"" + PrintableText(reply.substr(2)) + "\"";
  throw Error(ErrorCategory::kDeviceReported, "the gdb server answered " + what, ctx);
}

void GdbRspClient::WaitForAck(const std::string& frame, const std::string& operation) {
  for (int attempt = 0;;) {
    uint8_t c = NextByte(operation);
    if (c == '+') return;
    if (c != '-') continue;
    if (++attempt > kMaxRetransmits)
      throw TransportFailure("the gdb server keeps rejecting a packet (NAK)", operation);
    SendFrame(frame);
  }
}

std::string GdbRspClient::Request(std::string_view payload, const std::string& operation) {
  std::string frame = FramePacket(payload);
  SendFrame(frame);
  if (ack_mode_) WaitForAck(frame, operation);
  return Checked(ReadReply(operation), operation);
}

void GdbRspClient::Send(std::string_view payload) {
  std::string frame = FramePacket(payload);
  SendFrame(frame);
  if (ack_mode_) WaitForAck(frame, std::string(payload.substr(0, 8)));
}

void GdbRspClient::Pipeline(const std::vector<std::string>& payloads, size_t window,
                            const std::function<std::string(size_t)>& operation_of,
                            const std::function<void(size_t, const std::string&)>& on_reply) {
  size_t sent = 0;
  for (size_t received = 0; received < payloads.size(); ++received) {
    std::string batch;
    while (sent < payloads.size() && sent - received < window)
      batch += FramePacket(payloads[sent++]);
    if (!batch.empty()) SendFrame(batch);
    pending_acks_ = sent - received;
    std::string operation = operation_of(received);
    std::string reply = ReadReply(operation);
    pending_acks_ = 0;
    on_reply(received, Checked(std::move(reply), operation));
  }
}

}  // namespace tockctl::flasher
