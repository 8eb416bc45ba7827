#include "flasher/tock_bootloader_protocol.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

struct CodeName {
  uint8_t code;
  const char* name;
  const char* meaning;  // empty for replies that are not errors
};

constexpr CodeName kCommandNames[] = {
    {0x01, "PING", ""},
    {0x03, "INFO", ""},
    {0x04, "ID", ""},
    {0x05, "RESET", ""},
    {0x06, "ERASE_PAGE", ""},
    {0x07, "WRITE_PAGE", ""},
    {0x11, "READ_RANGE", ""},
    {0x13, "SET_ATTRIBUTE", ""},
    {0x14, "GET_ATTRIBUTE", ""},
    {0x15, "CRC_INTERNAL_FLASH", ""},
    {0x21, "CHANGE_BAUD_RATE", ""},
    {0x22, "EXIT", ""},
    {0x23, "SET_START_ADDRESS", ""},
};

constexpr CodeName kResponseNames[] = {
    {0x10, "OVERFLOW", "its receive buffer overflowed"},
    {0x11, "PONG", ""},
    {0x12, "BADADDR", "the address is outside writable flash or inside the bootloader"},
    {0x13, "INTERROR", "internal error while accessing flash"},
    {0x14, "BADARGS", "the command's arguments have the wrong length or value"},
    {0x15, "OK", ""},
    {0x16, "UNKNOWN", "it does not know this command (the bootloader may be too old)"},
    {0x17, "XFTIMEOUT", "external flash timed out"},
    {0x18, "XFEPE", "external flash reported an erase or program error"},
    {0x19, "CRCRX", ""},
    {0x20, "READ_RANGE", ""},
    {0x21, "XRRANGE", ""},
    {0x22, "GET_ATTRIBUTE", ""},
    {0x23, "CRC_INTERNAL_FLASH", ""},
    {0x24, "CRCXF", ""},
    {0x25, "INFO", ""},
    {0x26, "CHANGE_BAUD_FAIL", "it cannot switch to that baud rate"},
};

template <size_t N>
const CodeName* Find(const CodeName (&table)[N], uint8_t code) {
  for (const auto& e : table)
    if (e.code == code) return &e;
  return nullptr;
}

std::string Hex8(uint8_t v) { return fmt::format("0x{:02x}", v); }

std::string Address(uint32_t a) { return fmt::format("0x{:08x}", a); }

std::optional<uint32_t> ParseHexString(const std::string& s) {
  if (s.size() < 3 || s.size() > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return std::nullopt;
  uint32_t v = 0;
  for (size_t i = 2; i < s.size(); ++i) {
    char c = s[i];
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

const char* const kReplyHint =
    "check that the board is in bootloader mode, that no other program uses the port, and the "
    "baud rate";

}  // namespace

std::string BootloaderCommandName(uint8_t command) {
  const CodeName* e = Find(kCommandNames, command);
  return e ? e->name : Hex8(command);
}

std::string BootloaderResponseName(uint8_t response) {
  const CodeName* e = Find(kResponseNames, response);
  return e ? e->name : Hex8(response);
}

std::string BootloaderResponseMeaning(uint8_t response) {
  const CodeName* e = Find(kResponseNames, response);
  return e ? e->meaning : "";
}

BootloaderGeneration GenerationOf(std::string_view version) {
  if (version.starts_with("0.")) return BootloaderGeneration::kLegacyC;
  if (version == "1.0" || version.starts_with("1.0.")) return BootloaderGeneration::kRust10;
  return BootloaderGeneration::kRust11;
}

bool ErasedPageReadsFF(BootloaderGeneration generation) {
  return generation != BootloaderGeneration::kRust11;
}

size_t CountEscapeBytes(std::span<const uint8_t> bytes) {
  return static_cast<size_t>(std::count(bytes.begin(), bytes.end(), kBootloaderEscape));
}

std::vector<uint8_t> EscapeBootloaderPayload(std::span<const uint8_t> payload) {
  std::vector<uint8_t> out;
  out.reserve(payload.size() + 8);
  for (uint8_t b : payload) {
    out.push_back(b);
    if (b == kBootloaderEscape) out.push_back(b);
  }
  return out;
}

std::vector<uint8_t> EncodeBootloaderCommand(BootloaderCommand command,
                                             std::span<const uint8_t> payload, bool sync) {
  std::vector<uint8_t> out;
  if (sync) out.assign(std::begin(kBootloaderSync), std::end(kBootloaderSync));
  auto escaped = EscapeBootloaderPayload(payload);
  out.insert(out.end(), escaped.begin(), escaped.end());
  out.push_back(kBootloaderEscape);
  out.push_back(static_cast<uint8_t>(command));
  return out;
}

BootloaderAttribute DecodeBootloaderAttribute(std::span<const uint8_t> slot) {
  ByteReader r(slot, "GET_ATTRIBUTE reply");
  auto key_bytes = r.Bytes(8);
  uint8_t length = r.U8();
  auto value = r.Bytes(kBootloaderAttributeMaxValue);
  BootloaderAttribute attr;
  std::string key(key_bytes.begin(), key_bytes.end());
  key = key.substr(0, key.find('\0'));
  bool erased = key_bytes[0] == 0xFF;
  if (erased || key.empty() || length == 0 || length > kBootloaderAttributeMaxValue) return attr;
  attr.present = true;
  attr.key = key;
  attr.value.assign(value.begin(), value.begin() + length);
  return attr;
}

BootloaderInfo DecodeBootloaderInfo(std::span<const uint8_t> payload, const std::string& device) {
  ByteReader r(payload, "INFO reply");
  uint8_t length = r.U8();
  ErrorContext ctx = DeviceContext(device, "INFO");
  if (length > r.remaining())
    throw Error(ErrorCategory::kDeviceReported,
                fmt::format("INFO reply from the Tock bootloader claims {} bytes of JSON but holds "
                            "at most {}",
                            length, r.remaining()),
                ctx);
  BootloaderInfo info;
  info.json = r.String(length);
  auto doc = nlohmann::json::parse(info.json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(
        ErrorCategory::kDeviceReported,
        "INFO reply from the Tock bootloader is not a JSON object: " + PrintableText(info.json),
        ctx);
  if (doc.contains("version") && doc["version"].is_string()) info.version = doc["version"];
  info.generation = GenerationOf(info.version);
  if (doc.contains("name") && doc["name"].is_string()) info.name = doc["name"];
  if (doc.contains("start_address") && doc["start_address"].is_string())
    info.start_address = ParseHexString(doc["start_address"]);
  return info;
}

// One command and what came back, before it is judged.
struct TockBootloaderClient::Exchange {
  enum class Outcome { kOk, kSilent, kTruncated, kBadEscape, kStrayEscape, kUnexpected, kRefused };
  Outcome outcome = Outcome::kOk;
  uint8_t expected = 0;
  uint8_t code = 0;      // reply code received
  uint8_t bad_byte = 0;  // byte seen where 0xFC was expected, or after a stray 0xFC
  size_t received = 0;   // bytes received (header included) when truncated
  size_t wanted = 0;     // bytes expected (header included, unescaped)
  std::vector<uint8_t> payload;
};

TockBootloaderClient::TockBootloaderClient(SerialLink& link, BootloaderTimeouts timeouts,
                                           std::shared_ptr<spdlog::logger> log)
    : link_(&link), timeouts_(timeouts), log_(std::move(log)) {}

TockBootloaderClient::Exchange TockBootloaderClient::ExchangeOnce(BootloaderCommand command,
                                                                  std::span<const uint8_t> payload,
                                                                  bool sync, uint8_t expected,
                                                                  size_t reply_size,
                                                                  bool escaped_reply) {
  Exchange ex;
  ex.expected = expected;
  ex.wanted = 2 + reply_size;
  link_->DiscardInput();
  link_->Write(EncodeBootloaderCommand(command, payload, sync));
  uint8_t header[2];
  size_t got = 0;
  while (got < 2) {
    size_t n = link_->Read(std::span<uint8_t>(header + got, 2 - got), timeouts_.reply);
    if (n == 0) break;
    got += n;
  }
  using O = Exchange::Outcome;
  if (got >= 1 && header[0] != kBootloaderEscape) {
    ex.outcome = O::kBadEscape;
    ex.bad_byte = header[0];
    return ex;
  }
  if (got < 2) {
    ex.outcome = got == 0 ? O::kSilent : O::kTruncated;
    ex.received = got;
    return ex;
  }
  ex.code = header[1];
  if (ex.code != expected) {
    ex.outcome = BootloaderResponseMeaning(ex.code).empty() ? O::kUnexpected : O::kRefused;
    return ex;
  }
  ReadReply(ex, reply_size, escaped_reply);
  return ex;
}

void TockBootloaderClient::ReadReply(Exchange& ex, size_t reply_size, bool escaped_reply) {
  using O = Exchange::Outcome;
  bool pending_escape = false;
  std::vector<uint8_t> chunk;
  while (ex.payload.size() < reply_size) {
    size_t want = std::max<size_t>(reply_size - ex.payload.size(), pending_escape ? 1 : 0);
    chunk.resize(want);
    size_t n = link_->Read(chunk, timeouts_.reply);
    if (n == 0) {
      ex.outcome = O::kTruncated;
      ex.received = 2 + ex.payload.size();
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      uint8_t b = chunk[i];
      if (pending_escape) {
        pending_escape = false;
        if (b != kBootloaderEscape) {
          ex.outcome = O::kStrayEscape;
          ex.bad_byte = b;
          return;
        }
        ex.payload.push_back(b);
      } else if (escaped_reply && b == kBootloaderEscape) {
        pending_escape = true;
      } else {
        ex.payload.push_back(b);
      }
    }
  }
}

std::vector<uint8_t> TockBootloaderClient::Transact(BootloaderCommand command,
                                                    std::span<const uint8_t> payload,
                                                    BootloaderResponse expected, size_t reply_size,
                                                    const std::string& operation,
                                                    bool escaped_reply) {
  using O = Exchange::Outcome;
  log_->debug("bootloader {} ({} payload bytes)", operation, payload.size());
  Exchange ex;
  int attempt = 1;
  for (;; ++attempt) {
    ex = ExchangeOnce(command, payload, true, static_cast<uint8_t>(expected), reply_size,
                      escaped_reply);
    if (ex.outcome == O::kOk) return std::move(ex.payload);
    if (ex.outcome == O::kRefused || attempt >= timeouts_.attempts) break;
    log_->warn("{}: {} attempt {} failed, retrying", link_->path(), operation, attempt);
  }
  throw ReplyError(ex, attempt, operation);
}

Error TockBootloaderClient::ReplyError(const Exchange& ex, int attempts,
                                       const std::string& operation) const {
  using O = Exchange::Outcome;
  ErrorContext ctx = DeviceContext(link_->path(), operation);
  std::string tries = attempts > 1 ? fmt::format(" after {} attempts", attempts) : std::string();
  const char* noise = "line noise or a baud-rate mismatch; check the cable and the baud rate";
  switch (ex.outcome) {
    case O::kRefused:
      return Error(ErrorCategory::kDeviceReported,
                   fmt::format("the Tock bootloader refused the command: {} ({}), {}",
                               BootloaderResponseName(ex.code), Hex8(ex.code),
                               BootloaderResponseMeaning(ex.code)),
                   ctx);
    case O::kSilent:
      return Error(ErrorCategory::kTransport,
                   fmt::format("no reply from the Tock bootloader within {} ms{}",
                               timeouts_.reply.count(), tries),
                   ctx, kReplyHint);
    case O::kTruncated:
      return Error(ErrorCategory::kTransport,
                   fmt::format("reply from the Tock bootloader stopped after {} of {} bytes{}",
                               ex.received, ex.wanted, tries),
                   ctx, kReplyHint);
    case O::kBadEscape:
      return Error(ErrorCategory::kTransport,
                   fmt::format("garbled reply from the Tock bootloader: expected 0xfc, got {}{}",
                               Hex8(ex.bad_byte), tries),
                   ctx, noise);
    case O::kStrayEscape:
      return Error(ErrorCategory::kTransport,
                   fmt::format("garbled reply from the Tock bootloader: 0xfc followed by {} "
                               "inside the data{}",
                               Hex8(ex.bad_byte), tries),
                   ctx, noise);
    case O::kUnexpected:
    case O::kOk:
      break;
  }
  return Error(
      ErrorCategory::kTransport,
      fmt::format("unexpected reply from the Tock bootloader: {} ({}) instead of {} ({}){}",
                  BootloaderResponseName(ex.code), Hex8(ex.code),
                  BootloaderResponseName(ex.expected), Hex8(ex.expected), tries),
      ctx, kReplyHint);
}

bool TockBootloaderClient::TryPing() {
  auto ex = ExchangeOnce(BootloaderCommand::kPing, {}, true,
                         static_cast<uint8_t>(BootloaderResponse::kPong), 0, true);
  return ex.outcome == Exchange::Outcome::kOk;
}

void TockBootloaderClient::Ping() {
  Transact(BootloaderCommand::kPing, {}, BootloaderResponse::kPong, 0, "PING");
}

BootloaderInfo TockBootloaderClient::Info() {
  // The Rust bootloaders send the INFO block as is; the C one escapes it, but its JSON and zero
  // padding hold no 0xFC, so both read the same.
  auto payload = Transact(BootloaderCommand::kInfo, {}, BootloaderResponse::kInfo,
                          kBootloaderInfoSize, "INFO", /*escaped_reply=*/false);
  BootloaderInfo info = DecodeBootloaderInfo(payload, link_->path());
  generation_ = info.generation;
  return info;
}

std::optional<std::vector<uint8_t>> TockBootloaderClient::Id() {
  auto ex = ExchangeOnce(BootloaderCommand::kId, {}, true,
                         static_cast<uint8_t>(BootloaderResponse::kOk), 0, true);
  if (ex.outcome == Exchange::Outcome::kOk) {
    // No released bootloader answers ID; one that does sends an undocumented payload, so
    // take what arrives until the line goes quiet.
    std::vector<uint8_t> data(256);
    size_t n = link_->Read(data, timeouts_.reply);
    data.resize(n);
    return data;
  }
  if (ex.outcome == Exchange::Outcome::kRefused &&
      ex.code == static_cast<uint8_t>(BootloaderResponse::kUnknown))
    return std::nullopt;
  // Anything else is judged like any other command.
  Transact(BootloaderCommand::kId, {}, BootloaderResponse::kOk, 0, "ID");
  return std::vector<uint8_t>{};
}

void TockBootloaderClient::Reset() {
  link_->Write(std::span<const uint8_t>(kBootloaderSync, sizeof kBootloaderSync));
}

void TockBootloaderClient::ErasePage(uint32_t address) {
  std::vector<uint8_t> payload;
  AppendLe32(payload, address);
  Transact(BootloaderCommand::kErasePage, payload, BootloaderResponse::kOk, 0,
           "ERASE_PAGE " + Address(address));
}

void TockBootloaderClient::WritePage(uint32_t address, std::span<const uint8_t> page) {
  if (page.size() != kBootloaderPageSize || address % kBootloaderPageSize != 0)
    throw Error(ErrorCategory::kInternal,
                fmt::format("WRITE_PAGE needs a 512-byte page at a 512-byte boundary, got {} bytes "
                            "at {}",
                            page.size(), Address(address)));
  std::vector<uint8_t> payload;
  payload.reserve(4 + page.size());
  AppendLe32(payload, address);
  payload.insert(payload.end(), page.begin(), page.end());
  Transact(BootloaderCommand::kWritePage, payload, BootloaderResponse::kOk, 0,
           "WRITE_PAGE " + Address(address));
}

std::vector<uint8_t> TockBootloaderClient::ReadRange(uint32_t address, uint32_t length) {
  std::vector<uint8_t> out;
  out.reserve(length);
  while (out.size() < length) {
    uint32_t at = address + static_cast<uint32_t>(out.size());
    uint32_t n = std::min<uint32_t>(kBootloaderMaxRead, length - static_cast<uint32_t>(out.size()));
    std::vector<uint8_t> payload;
    AppendLe32(payload, at);
    payload.push_back(static_cast<uint8_t>(n));
    payload.push_back(static_cast<uint8_t>(n >> 8));
    auto data = Transact(BootloaderCommand::kReadRange, payload, BootloaderResponse::kReadRange, n,
                         fmt::format("READ_RANGE {} +{}", Address(at), n));
    out.insert(out.end(), data.begin(), data.end());
  }
  return out;
}

void TockBootloaderClient::SetAttribute(int index, std::string_view key,
                                        std::span<const uint8_t> value) {
  if (index < 0 || index >= kBootloaderAttributeCount || key.empty() || key.size() > 8 ||
      value.empty() || value.size() > kBootloaderAttributeMaxValue)
    throw Error(ErrorCategory::kUsage,
                fmt::format("attribute {} \"{}\" cannot be stored: the index must be 0-15, the key "
                            "1-8 bytes and the value 1-55 bytes (got {} bytes)",
                            index, key, value.size()));
  std::vector<uint8_t> payload;
  payload.push_back(static_cast<uint8_t>(index));
  payload.insert(payload.end(), key.begin(), key.end());
  payload.resize(1 + 8, 0);
  payload.push_back(static_cast<uint8_t>(value.size()));
  payload.insert(payload.end(), value.begin(), value.end());
  Transact(BootloaderCommand::kSetAttribute, payload, BootloaderResponse::kOk, 0,
           fmt::format("SET_ATTRIBUTE {} {}", index, key));
}

BootloaderAttribute TockBootloaderClient::GetAttribute(int index) {
  if (index < 0 || index >= kBootloaderAttributeCount)
    throw Error(ErrorCategory::kUsage,
                fmt::format("attribute index {} is out of range; use 0-15", index));
  uint8_t payload[1] = {static_cast<uint8_t>(index)};
  auto slot = Transact(BootloaderCommand::kGetAttribute, payload, BootloaderResponse::kGetAttribute,
                       kBootloaderAttributeSize, fmt::format("GET_ATTRIBUTE {}", index));
  return DecodeBootloaderAttribute(slot);
}

uint32_t TockBootloaderClient::CrcInternalFlash(uint32_t address, uint32_t length) {
  std::vector<uint8_t> payload;
  AppendLe32(payload, address);
  AppendLe32(payload, length);
  // The Rust bootloaders send the four CRC bytes as is; the C bootloader escapes a 0xFC among
  // them. (Some versions append two stray bytes; the next command discards them.)
  auto crc =
      Transact(BootloaderCommand::kCrcInternalFlash, payload, BootloaderResponse::kCrcInternalFlash,
               4, fmt::format("CRC_INTERNAL_FLASH {} +{}", Address(address), length),
               /*escaped_reply=*/generation_ == BootloaderGeneration::kLegacyC);
  ByteReader r(crc, "CRC_INTERNAL_FLASH reply");
  return r.U32Le();
}

bool TockBootloaderClient::ChangeBaudRate(uint32_t old_baud, uint32_t new_baud) {
  auto step = [&](uint8_t mode, bool sync) {
    std::vector<uint8_t> payload{mode};
    AppendLe32(payload, new_baud);
    return ExchangeOnce(BootloaderCommand::kChangeBaudRate, payload, sync,
                        static_cast<uint8_t>(BootloaderResponse::kOk), 0, true);
  };
  auto first = step(1, true);
  if (first.outcome != Exchange::Outcome::kOk) {
    log_->info("{}: bootloader declined {} baud ({}); staying at {}", link_->path(), new_baud,
               BootloaderResponseName(first.code), old_baud);
    return false;
  }
  link_->SetBaudRate(new_baud);
  auto second = step(2, false);
  if (second.outcome == Exchange::Outcome::kOk) return true;
  log_->warn("{}: no confirmation at {} baud; going back to {}", link_->path(), new_baud, old_baud);
  link_->SetBaudRate(old_baud);
  return false;
}

void TockBootloaderClient::Exit() {
  link_->DiscardInput();
  link_->Write(EncodeBootloaderCommand(BootloaderCommand::kExit, {}, true));
}

void TockBootloaderClient::SetStartAddress(uint32_t address) {
  std::vector<uint8_t> payload;
  AppendLe32(payload, address);
  Transact(BootloaderCommand::kSetStartAddress, payload, BootloaderResponse::kOk, 0,
           "SET_START_ADDRESS " + Address(address));
}

}  // namespace tockctl::flasher
