#include "apps/tar_archive.h"

#include <algorithm>
#include <optional>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl::apps {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kNameField = 0;
constexpr size_t kModeField = 100;
constexpr size_t kSizeField = 124;
constexpr size_t kMtimeField = 136;
constexpr size_t kChecksumField = 148;
constexpr size_t kTypeField = 156;
constexpr size_t kMagicField = 257;
constexpr size_t kPrefixField = 345;

Error TarError(const std::string& what, uint64_t offset, const std::string& message) {
  ErrorContext ctx;
  ctx.file = what;
  ctx.offset = offset;
  return Error(ErrorCategory::kInvalidInput, message, ctx,
               "the archive is damaged: build or download the TAB again");
}

std::string Field(std::span<const uint8_t> block, size_t at, size_t n) {
  auto bytes = block.subspan(at, n);
  auto end = std::find(bytes.begin(), bytes.end(), uint8_t{0});
  return std::string(bytes.begin(), end);
}

std::optional<uint64_t> ParseOctal(std::span<const uint8_t> field) {
  if (!field.empty() && (field[0] & 0x80) != 0) {  // GNU base-256 for large values
    uint64_t v = field[0] & 0x7F;
    for (size_t i = 1; i < field.size(); ++i) {
      if (v >> 56 != 0) return std::nullopt;
      v = (v << 8) | field[i];
    }
    return v;
  }
  size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  uint64_t v = 0;
  bool any = false;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i, any = true) {
    if (v >> 60 != 0) return std::nullopt;
    v = v * 8 + (field[i] - '0');
  }
  for (; i < field.size(); ++i)
    if (field[i] != ' ' && field[i] != 0) return std::nullopt;
  if (!any) return std::nullopt;
  return v;
}

uint64_t HeaderChecksum(std::span<const uint8_t> block) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i)
    sum += (i >= kChecksumField && i < kChecksumField + 8) ? ' ' : block[i];
  return sum;
}

uint64_t OctalField(std::span<const uint8_t> block, size_t at, size_t n, const char* name,
                    const std::string& what, uint64_t offset) {
  auto v = ParseOctal(block.subspan(at, n));
  if (!v)
    throw TarError(what, offset + at,
                   std::string("tar header field ") + name + " is not an octal number");
  return *v;
}

void CheckHeader(std::span<const uint8_t> block, const std::string& what, uint64_t offset) {
  const uint64_t stored = OctalField(block, kChecksumField, 8, "chksum", what, offset);
  const uint64_t actual = HeaderChecksum(block);
  if (stored != actual)
    throw TarError(what, offset + kChecksumField,
                   "tar header checksum is " + std::to_string(stored) + ", expected " +
                       std::to_string(actual));
}

bool IsZeroBlock(std::span<const uint8_t> block) {
  return std::all_of(block.begin(), block.end(), [](uint8_t b) { return b == 0; });
}

std::string EntryName(std::span<const uint8_t> block) {
  std::string name = Field(block, kNameField, 100);
  if (Field(block, kMagicField, 5) == "ustar") {
    std::string prefix = Field(block, kPrefixField, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
  }
  return name;
}

// The "path" record of a pax extended header ("LEN path=VALUE\n" records), if any.
std::optional<std::string> PaxPath(std::span<const uint8_t> data) {
  std::string text(data.begin(), data.end());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t space = text.find(' ', pos);
    if (space == std::string::npos) return std::nullopt;
    size_t length = 0;
    for (size_t i = pos; i < space; ++i) {
      if (text[i] < '0' || text[i] > '9' || length > text.size()) return std::nullopt;
      length = length * 10 + (text[i] - '0');
    }
    if (length < space - pos + 2 || length > text.size() - pos) return std::nullopt;
    std::string record = text.substr(space + 1, length - (space - pos) - 2);
    if (record.rfind("path=", 0) == 0) return record.substr(5);
    pos += length;
  }
  return std::nullopt;
}

struct PendingName {
  std::optional<std::string> name;
};

void TakeEntry(std::vector<TarEntry>& out, PendingName& pending, char type, std::string name,
               std::span<const uint8_t> data, uint64_t offset) {
  if (type == 'x') {
    if (auto path = PaxPath(data)) pending.name = *path;
    return;
  }
  if (type == 'L') {
    pending.name = std::string(data.begin(), std::find(data.begin(), data.end(), uint8_t{0}));
    return;
  }
  std::optional<std::string> long_name = std::move(pending.name);
  pending.name.reset();
  if (type != '0' && type != '\0' && type != '7') return;  // directories, links, 'g' headers
  TarEntry e;
  e.name = long_name.value_or(std::move(name));
  e.data.assign(data.begin(), data.end());
  e.offset = offset;
  out.push_back(std::move(e));
}

}  // namespace

std::vector<TarEntry> ReadTar(std::span<const uint8_t> data, const std::string& what) {
  std::vector<TarEntry> out;
  PendingName pending;
  ByteReader reader(data, what);
  while (reader.remaining() >= kBlock) {
    const uint64_t offset = reader.position();
    auto block = reader.Bytes(kBlock);
    if (IsZeroBlock(block)) break;
    CheckHeader(block, what, offset);
    const uint64_t size = OctalField(block, kSizeField, 12, "size", what, offset);
    if (size > reader.remaining())
      throw TarError(what, offset,
                     "tar entry \"" + EntryName(block) + "\" of " + std::to_string(size) +
                         " bytes runs past the end of the archive");
    auto contents = reader.Bytes(size);
    reader.Skip(std::min<uint64_t>((kBlock - size % kBlock) % kBlock, reader.remaining()));
    TakeEntry(out, pending, static_cast<char>(block[kTypeField]), EntryName(block), contents,
              offset);
  }
  if (out.empty() && data.size() < kBlock)
    throw TarError(
        what, 0,
        "is " + std::to_string(data.size()) + " bytes, shorter than one tar header (512 bytes)");
  return out;
}

namespace {

void PutString(std::vector<uint8_t>& block, size_t at, const std::string& s) {
  std::copy(s.begin(), s.end(), block.begin() + static_cast<std::ptrdiff_t>(at));
}

// `value` as `width - 1` zero-padded octal digits and a NUL.
void PutOctal(std::vector<uint8_t>& block, size_t at, size_t width, uint64_t value) {
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value != 0; value /= 8)
    digits[i] = static_cast<char>('0' + value % 8);
  PutString(block, at, digits);
}

void PutName(std::vector<uint8_t>& block, const std::string& name) {
  if (name.size() <= 100) return PutString(block, kNameField, name);
  const size_t slash = name.rfind('/', 155);
  if (slash == std::string::npos || name.size() - slash - 1 > 100)
    throw Error(ErrorCategory::kInvalidInput,
                "tar entry name \"" + name + "\" does not fit a ustar header (100 + 155 bytes)");
  PutString(block, kPrefixField, name.substr(0, slash));
  PutString(block, kNameField, name.substr(slash + 1));
}

std::vector<uint8_t> HeaderBlock(const TarEntry& e, uint64_t mtime) {
  std::vector<uint8_t> block(kBlock, 0);
  PutName(block, e.name);
  PutOctal(block, kModeField, 8, 0644);
  PutOctal(block, 108, 8, 0);  // uid
  PutOctal(block, 116, 8, 0);  // gid
  PutOctal(block, kSizeField, 12, e.data.size());
  PutOctal(block, kMtimeField, 12, mtime);
  block[kTypeField] = '0';
  PutString(block, kMagicField, "ustar");  // "ustar\0" then version "00"
  PutString(block, 263, "00");
  PutOctal(block, kChecksumField, 7, HeaderChecksum(block));
  block[kChecksumField + 7] = ' ';
  return block;
}

}  // namespace

std::vector<uint8_t> WriteTar(const std::vector<TarEntry>& entries, uint64_t mtime) {
  std::vector<uint8_t> out;
  for (const TarEntry& e : entries) {
    auto header = HeaderBlock(e, mtime);
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), e.data.begin(), e.data.end());
    out.resize(out.size() + (kBlock - e.data.size() % kBlock) % kBlock, 0);
  }
  out.resize(out.size() + 2 * kBlock, 0);
  return out;
}

}  // namespace tockctl::apps
