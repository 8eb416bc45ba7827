#include "flasher/uf2_image.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl::flasher {
namespace {

constexpr uint32_t kMagicStart0 = 0x0A324655;
constexpr uint32_t kMagicStart1 = 0x9E5D5157;
constexpr uint32_t kMagicEnd = 0x0AB16F30;

struct KnownFamily {
  const char* name;
  uint32_t id;
};
constexpr KnownFamily kFamilies[] = {
    {"rp2040", 0xe48bff56},       {"absolute", 0xe48bff57},     {"data", 0xe48bff58},
    {"rp2350-arm-s", 0xe48bff59}, {"rp2350-riscv", 0xe48bff5a}, {"rp2350-arm-ns", 0xe48bff5b},
};

struct Block {
  uint64_t offset = 0;  // in the file
  uint32_t flags = 0;
  uint32_t address = 0;
  uint32_t payload_size = 0;
  uint32_t block_no = 0;
  uint32_t num_blocks = 0;
  uint32_t family_or_size = 0;
  std::span<const uint8_t> payload;
  bool has_family() const { return (flags & kUf2FlagFamilyIdPresent) != 0; }
};

[[noreturn]] void Fail(const std::string& message, uint64_t offset) {
  ErrorContext ctx;
  ctx.offset = offset;
  throw Error(ErrorCategory::kInvalidInput, message, ctx);
}

Block ReadBlock(const ByteReader& whole, size_t index) {
  uint64_t offset = uint64_t{index} * kUf2BlockSize;
  ByteReader r = whole.At(offset, kUf2BlockSize, "UF2 block " + std::to_string(index));
  std::string label = "UF2 block " + std::to_string(index);
  if (r.U32Le() != kMagicStart0 || r.U32Le() != kMagicStart1)
    Fail(label + " has a bad start magic", offset);
  Block b;
  b.offset = offset;
  b.flags = r.U32Le();
  b.address = r.U32Le();
  b.payload_size = r.U32Le();
  b.block_no = r.U32Le();
  b.num_blocks = r.U32Le();
  b.family_or_size = r.U32Le();
  auto data = r.Bytes(kUf2MaxPayload);
  if (r.U32Le() != kMagicEnd) Fail(label + " has a bad end magic", offset + 508);
  if (b.payload_size > kUf2MaxPayload)
    Fail(label + " has payload size " + std::to_string(b.payload_size) + ", more than 476",
         offset + 16);
  if (AddOrThrow(b.address, b.payload_size, "UF2 block address") > (uint64_t{1} << 32))
    Fail(label + " at " + HexWord(b.address) + " runs past 4 GiB", offset + 12);
  b.payload = data.subspan(0, b.payload_size);
  return b;
}

// Checks that block numbers run 0..numBlocks-1 within each run (a run restarts at block 0).
class SequenceChecker {
 public:
  void Next(const Block& b, size_t index) {
    std::string label = "UF2 block " + std::to_string(index);
    if (b.num_blocks == 0 || b.block_no >= b.num_blocks)
      Fail(label + " is number " + std::to_string(b.block_no) + " of " +
               std::to_string(b.num_blocks),
           b.offset + 20);
    if (b.block_no == 0 || !open_) {
      Finish();
      if (b.block_no != 0)
        Fail(label + " is number " + std::to_string(b.block_no) + ", expected 0", b.offset + 20);
      open_ = true;
    } else if (b.block_no != last_ + 1 || b.num_blocks != total_) {
      Fail(label + " is number " + std::to_string(b.block_no) + " of " +
               std::to_string(b.num_blocks) + ", expected " + std::to_string(last_ + 1) + " of " +
               std::to_string(total_),
           b.offset + 20);
    }
    last_ = b.block_no;
    total_ = b.num_blocks;
    last_offset_ = b.offset;
  }
  void Finish() const {
    if (open_ && last_ + 1 != total_)
      Fail("UF2 file is incomplete: the run ends at block number " + std::to_string(last_) +
               " of " + std::to_string(total_),
           last_offset_);
  }

 private:
  bool open_ = false;
  uint32_t last_ = 0;
  uint32_t total_ = 0;
  uint64_t last_offset_ = 0;
};

std::optional<uint32_t> ChooseFamily(const std::vector<Block>& blocks,
                                     std::optional<uint32_t> wanted) {
  if (wanted) return wanted;
  std::set<uint32_t> families;
  for (const auto& b : blocks)
    if (b.has_family()) families.insert(b.family_or_size);
  if (families.size() <= 1)
    return families.empty() ? std::nullopt : std::optional<uint32_t>(*families.begin());
  std::string list;
  for (uint32_t f : families) list += (list.empty() ? "" : ", ") + Uf2FamilyName(f);
  throw Error(ErrorCategory::kInvalidInput,
              "UF2 file holds blocks of several families (" + list + ")", ErrorContext{},
              "choose one with --family");
}

void AddBlock(Image& image, const Block& b, size_t index, size_t& first_index) {
  if (b.payload_size == 0) return;
  auto& segs = image.segments;
  if (!segs.empty() && segs.back().end() == b.address) {
    segs.back().data.insert(segs.back().data.end(), b.payload.begin(), b.payload.end());
    segs.back().name = "uf2 blocks " + std::to_string(first_index) + "-" + std::to_string(index);
    return;
  }
  first_index = index;
  segs.push_back(Segment{b.address, std::vector<uint8_t>(b.payload.begin(), b.payload.end()),
                         "uf2 blocks " + std::to_string(index) + "-" + std::to_string(index)});
}

void AddNote(Image& image, size_t count, const std::string& what) {
  if (count > 0) image.notes.push_back("skipped " + std::to_string(count) + " UF2 blocks " + what);
}

}  // namespace

bool LooksLikeUf2(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return false;
  ByteReader r(bytes);
  return r.U32Le() == kMagicStart0 && r.U32Le() == kMagicStart1;
}

Image ParseUf2(std::span<const uint8_t> bytes, const std::string& source,
               std::optional<uint32_t> family) {
  if (bytes.empty() || bytes.size() % kUf2BlockSize != 0)
    Fail("UF2 file size " + std::to_string(bytes.size()) + " is not a positive multiple of 512",
         bytes.size() - bytes.size() % kUf2BlockSize);
  ByteReader whole(bytes, "UF2 file");
  std::vector<Block> blocks;
  SequenceChecker sequence;
  for (size_t i = 0; i < bytes.size() / kUf2BlockSize; ++i) {
    blocks.push_back(ReadBlock(whole, i));
    sequence.Next(blocks.back(), i);
  }
  sequence.Finish();
  Image image;
  image.source = source;
  image.format = "uf2";
  image.uf2_family = ChooseFamily(blocks, family);
  size_t not_main = 0, container = 0, other_family = 0, first_index = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.flags & kUf2FlagNotMainFlash) {
      ++not_main;
    } else if (b.flags & kUf2FlagFileContainer) {
      ++container;
    } else if (image.uf2_family && (!b.has_family() || b.family_or_size != *image.uf2_family)) {
      ++other_family;
    } else {
      AddBlock(image, b, i, first_index);
    }
  }
  if (image.segments.empty() && other_family > 0)
    throw Error(ErrorCategory::kInvalidInput,
                "UF2 file has no blocks of family " + Uf2FamilyName(*image.uf2_family));
  AddNote(image, not_main, "flagged NOT_MAIN_FLASH");
  AddNote(image, container, "flagged as file container");
  AddNote(image, other_family, "of other families");
  SortAndCheckOverlaps(image);
  return image;
}

std::vector<uint8_t> WriteUf2(const Image& image, uint32_t family_id) {
  std::map<uint64_t, std::vector<uint8_t>> pages;
  for (const auto& s : image.segments) {
    if (s.end() > (uint64_t{1} << 32))
      throw Error(ErrorCategory::kInvalidInput, "segment " + s.name + " " +
                                                    AddressRange(s.address, s.end()) +
                                                    " lies above 4 GiB, which UF2 cannot address");
    for (size_t i = 0; i < s.data.size(); ++i) {
      uint64_t address = s.address + i;
      auto& page = pages[address / kUf2WritePayload * kUf2WritePayload];
      if (page.empty()) page.assign(kUf2WritePayload, 0);
      page[address % kUf2WritePayload] = s.data[i];
    }
  }
  std::vector<uint8_t> out(pages.size() * kUf2BlockSize, 0);
  uint32_t index = 0;
  for (const auto& [address, page] : pages) {
    uint8_t* b = out.data() + size_t{index} * kUf2BlockSize;
    uint32_t header[8] = {kMagicStart0,
                          kMagicStart1,
                          kUf2FlagFamilyIdPresent,
                          static_cast<uint32_t>(address),
                          kUf2WritePayload,
                          index,
                          static_cast<uint32_t>(pages.size()),
                          family_id};
    for (int i = 0; i < 8; ++i) StoreU32Le(b + std::ptrdiff_t{4} * i, header[i]);
    std::copy(page.begin(), page.end(), b + 32);
    StoreU32Le(b + 508, kMagicEnd);
    ++index;
  }
  return out;
}

std::optional<uint32_t> Uf2FamilyFromText(const std::string& text) {
  for (const auto& f : kFamilies)
    if (text == f.name) return f.id;
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  std::string digits = hex ? text.substr(2) : text;
  if (digits.empty() || digits.size() > (hex ? 8u : 10u) ||
      digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos)
    return std::nullopt;
  uint64_t v = std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10);
  if (v > 0xffffffffull) return std::nullopt;
  return static_cast<uint32_t>(v);
}

uint32_t ParseUf2Family(const std::string& text) {
  if (auto id = Uf2FamilyFromText(text)) return *id;
  std::string names;
  for (const auto& f : kFamilies) names += std::string(names.empty() ? "" : ", ") + f.name;
  throw Error(ErrorCategory::kUsage, "unknown UF2 family `" + text + "`", ErrorContext{},
              "use one of " + names + ", or a 32-bit number such as 0xe48bff56");
}

std::string Uf2FamilyName(uint32_t family_id) {
  for (const auto& f : kFamilies)
    if (f.id == family_id) return f.name;
  return HexWord(family_id);
}

}  // namespace tockctl::flasher
