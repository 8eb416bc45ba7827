#include "flasher/ihex_image.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

enum RecordType : uint8_t {
  kData = 0,
  kEndOfFile = 1,
  kExtendedSegment = 2,
  kStartSegment = 3,
  kExtendedLinear = 4,
  kStartLinear = 5,
};

struct Record {
  uint8_t type = 0;
  uint16_t offset = 0;
  std::vector<uint8_t> data;
};

std::string Hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v & 0xffu);
  return buf;
}

// Parses one file's records, remembering where each came from for error messages.
class HexParser {
 public:
  explicit HexParser(std::string source) : source_(std::move(source)) {}

  Image Parse(std::string_view text);

 private:
  [[noreturn]] void Fail(const std::string& message, std::optional<uint64_t> column = {}) const {
    ErrorContext ctx;
    ctx.file = source_;
    ctx.line = line_;
    ctx.column = column;
    throw Error(ErrorCategory::kInvalidInput, message, ctx);
  }
  std::vector<uint8_t> DecodeHex(std::string_view line) const;
  Record DecodeRecord(std::string_view line) const;
  void Apply(const Record& record);
  void AddData(const Record& record);
  void FlushBlock();
  uint16_t Word(const Record& record, size_t want) const;

  std::string source_;
  uint64_t line_ = 0;
  uint64_t base_ = 0;
  bool ended_ = false;
  Image image_;
  std::optional<Segment> block_;
  uint64_t block_first_line_ = 0;
  uint64_t block_last_line_ = 0;
};

std::vector<uint8_t> HexParser::DecodeHex(std::string_view line) const {
  if (line.empty() || line[0] != ':') Fail("record does not start with ':'", 1);
  if ((line.size() - 1) % 2 != 0) Fail("record has an odd number of hex digits", line.size());
  std::vector<uint8_t> out;
  out.reserve(line.size() / 2);
  for (size_t i = 1; i + 1 < line.size(); i += 2) {
    int hi = HexDigitValue(line[i]);
    int lo = HexDigitValue(line[i + 1]);
    if (hi < 0) Fail("'" + PrintableText(line.substr(i, 1)) + "' is not a hex digit", i + 1);
    if (lo < 0) Fail("'" + PrintableText(line.substr(i + 1, 1)) + "' is not a hex digit", i + 2);
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

Record HexParser::DecodeRecord(std::string_view line) const {
  std::vector<uint8_t> bytes = DecodeHex(line);
  if (bytes.size() < 5)
    Fail("record is too short: " + std::to_string(bytes.size()) + " bytes, need at least 5");
  size_t count = bytes[0];
  if (bytes.size() != count + 5)
    Fail("record says " + std::to_string(count) + " data bytes but holds " +
         std::to_string(bytes.size() - 5));
  uint8_t sum = 0;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
  auto expected = static_cast<uint8_t>(-sum);
  if (bytes.back() != expected)
    Fail("checksum is " + Hex2(bytes.back()) + ", expected " + Hex2(expected), line.size() - 1);
  ByteReader r(bytes, "hex record");
  Record rec;
  r.Skip(1);
  rec.offset = r.U16Be();
  rec.type = r.U8();
  auto data = r.Bytes(count);
  rec.data.assign(data.begin(), data.end());
  return rec;
}

uint16_t HexParser::Word(const Record& record, size_t want) const {
  if (record.data.size() != want)
    Fail("record type " + Hex2(record.type) + " needs " + std::to_string(want) +
         " data bytes, has " + std::to_string(record.data.size()));
  return static_cast<uint16_t>(record.data[0] << 8 | record.data[1]);
}

void HexParser::FlushBlock() {
  if (!block_) return;
  block_->name =
      "hex lines " + std::to_string(block_first_line_) + "-" + std::to_string(block_last_line_);
  image_.segments.push_back(std::move(*block_));
  block_.reset();
}

void HexParser::AddData(const Record& record) {
  if (record.data.empty()) return;
  uint64_t address = base_ + record.offset;
  if (block_ && block_->end() == address) {
    block_->data.insert(block_->data.end(), record.data.begin(), record.data.end());
    block_last_line_ = line_;
    return;
  }
  FlushBlock();
  block_ = Segment{address, record.data, ""};
  block_first_line_ = block_last_line_ = line_;
}

void HexParser::Apply(const Record& record) {
  switch (record.type) {
    case kData:
      return AddData(record);
    case kEndOfFile:
      if (!record.data.empty()) Fail("end-of-file record (01) must have no data");
      ended_ = true;
      return;
    case kExtendedSegment:
      base_ = uint64_t{Word(record, 2)} << 4;
      return;
    case kExtendedLinear:
      base_ = uint64_t{Word(record, 2)} << 16;
      return;
    case kStartSegment: {
      Word(record, 4);
      uint64_t cs = uint64_t{record.data[0]} << 8 | record.data[1];
      uint64_t ip = uint64_t{record.data[2]} << 8 | record.data[3];
      image_.entry = (cs << 4) + ip;
      return;
    }
    case kStartLinear: {
      Word(record, 4);
      ByteReader r(record.data, "start address");
      image_.entry = r.U32Be();
      return;
    }
    default:
      Fail("unknown record type " + Hex2(record.type) + " (valid: 00 to 05)", 8);
  }
}

Image HexParser::Parse(std::string_view text) {
  image_.source = source_;
  image_.format = "ihex";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    if (line.empty()) continue;
    if (ended_) Fail("data after the end-of-file record (01)", 1);
    Apply(DecodeRecord(line));
    if (ended_) FlushBlock();
  }
  if (!ended_) {
    ++line_;
    Fail("missing end-of-file record (:00000001FF)");
  }
  SortAndCheckOverlaps(image_);
  return std::move(image_);
}

void AppendRecord(std::string& out, uint8_t type, uint16_t offset, std::span<const uint8_t> data) {
  char buf[16];
  auto sum = static_cast<uint8_t>(data.size() + (offset >> 8) + (offset & 0xff) + type);
  std::snprintf(buf, sizeof buf, ":%02X%04X%02X", static_cast<unsigned>(data.size()), offset, type);
  out += buf;
  for (uint8_t b : data) {
    std::snprintf(buf, sizeof buf, "%02X", b);
    out += buf;
    sum = static_cast<uint8_t>(sum + b);
  }
  std::snprintf(buf, sizeof buf, "%02X\n", static_cast<uint8_t>(-sum));
  out += buf;
}

void AppendSegment(std::string& out, const Segment& s, std::optional<uint64_t>& upper) {
  constexpr size_t kRecordBytes = 16;
  size_t i = 0;
  while (i < s.data.size()) {
    uint64_t address = s.address + i;
    if (!upper || *upper != address >> 16) {
      upper = address >> 16;
      uint8_t word[2] = {static_cast<uint8_t>(*upper >> 8), static_cast<uint8_t>(*upper)};
      AppendRecord(out, kExtendedLinear, 0, word);
    }
    size_t to_boundary = 0x10000 - static_cast<size_t>(address & 0xffff);
    size_t n = std::min({kRecordBytes, s.data.size() - i, to_boundary});
    AppendRecord(out, kData, static_cast<uint16_t>(address & 0xffff),
                 std::span<const uint8_t>(s.data).subspan(i, n));
    i += n;
  }
}

}  // namespace

Image ParseIntelHex(std::span<const uint8_t> text, const std::string& source) {
  HexParser parser(source);
  return parser.Parse(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
}

std::string WriteIntelHex(const Image& image) {
  std::string out;
  std::optional<uint64_t> upper;
  for (const auto& s : image.segments) {
    if (s.end() > (uint64_t{1} << 32))
      throw Error(ErrorCategory::kInvalidInput,
                  "segment " + s.name + " " + AddressRange(s.address, s.end()) +
                      " lies above 4 GiB, which Intel HEX cannot address");
    AppendSegment(out, s, upper);
  }
  if (image.entry && *image.entry <= 0xffffffffu) {
    uint8_t e[4];
    for (int i = 0; i < 4; ++i) e[i] = static_cast<uint8_t>(*image.entry >> (24 - 8 * i));
    AppendRecord(out, kStartLinear, 0, e);
  }
  AppendRecord(out, kEndOfFile, 0, {});
  return out;
}

}  // namespace tockctl::flasher
