#include "common/kernel_attributes.h"

#include <cstdio>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl {
namespace {

constexpr uint64_t kTlvHeaderSize = 4;  // type (u16), length (u16)
constexpr uint16_t kRangeValueSize = 8;

struct TlvHeader {
  uint16_t type = 0;
  uint16_t length = 0;
  uint64_t value_end = 0;  // Offset in the tail where the value ends (the TLV header starts).
};

[[noreturn]] void Fail(const std::string& source, const std::string& message,
                       const std::string& hint = {}) {
  ErrorContext ctx;
  ctx.file = source;
  throw Error(ErrorCategory::kInvalidInput, message, ctx, hint);
}

std::string Spaced(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += (out.empty() ? "" : " ") + std::string(buf);
  }
  return out;
}

bool IsKnownType(uint16_t type) { return type >= kKatlvAppMemory && type <= kKatlvPublicKey; }

void CheckLength(const TlvHeader& tlv, uint64_t address, const std::string& source) {
  bool ok =
      tlv.type == kKatlvPublicKey ? tlv.length > kRangeValueSize : tlv.length == kRangeValueSize;
  if (ok) return;
  Fail(source, "kernel attributes: the " + std::string(AttributeTypeName(tlv.type)) + " TLV (" +
                   HexNumber(tlv.type) + ") at " + HexNumber(address) + " has length " +
                   std::to_string(tlv.length) + ", expected " +
                   (tlv.type == kKatlvPublicKey ? "more than 8" : "8"));
}

AttributeRange ReadRange(ByteReader value) {
  AttributeRange r;
  r.start = value.U32Le();
  r.size = value.U32Le();
  return r;
}

KernelVersion ReadVersion(ByteReader value) {
  KernelVersion v;
  v.major = value.U16Le();
  v.minor = value.U16Le();
  v.patch = value.U16Le();
  v.prerelease = value.U16Le();
  return v;
}

template <typename T>
void Store(std::optional<T>& slot, T value, uint16_t type, uint64_t address,
           const std::string& source) {
  if (slot)
    Fail(source, "kernel attributes: a second " + std::string(AttributeTypeName(type)) + " TLV (" +
                     HexNumber(type) + ") at " + HexNumber(address));
  slot = value;
}

void Record(KernelAttributes& a, const ByteReader& tail, const AttributeTlv& tlv, uint64_t offset,
            const std::string& source) {
  ByteReader value = tail.At(offset, tlv.length, "kernel attributes TLV");
  if (tlv.type == kKatlvKernelVersion)
    Store(a.kernel_version, ReadVersion(value), tlv.type, tlv.address, source);
  else if (tlv.type == kKatlvAppMemory)
    Store(a.app_memory, ReadRange(value), tlv.type, tlv.address, source);
  else if (tlv.type == kKatlvKernelFlash)
    Store(a.kernel_flash, ReadRange(value), tlv.type, tlv.address, source);
  a.tlvs.push_back(tlv);
}

void CheckHeader(std::span<const uint8_t> tail, uint64_t end_address, const std::string& source) {
  const std::string hint =
      "Tock's linker script puts the attributes at the very end of kernel flash; is this a Tock "
      "kernel, and is the address or board right?";
  if (tail.size() < kKernelAttributesHeaderSize)
    Fail(source,
         "no kernel attributes: " + std::to_string(tail.size()) + " bytes end at " +
             HexNumber(end_address) + ", fewer than the 8 of the header and the \"TOCK\" sentinel",
         hint);
  auto sentinel = tail.last(4);
  if (std::string(sentinel.begin(), sentinel.end()) != kKernelAttributesSentinel)
    Fail(source,
         "no kernel attributes: the 4 bytes before " + HexNumber(end_address) + " are " +
             Spaced(sentinel) + ", not the sentinel \"TOCK\" (54 4f 43 4b)",
         hint);
  uint8_t version = tail[tail.size() - 5];
  if (version != kKernelAttributesVersion)
    Fail(source, "kernel attributes version " + std::to_string(version) + " at " +
                     HexNumber(end_address - 5) + " is not supported (tockctl reads version 1)");
}

}  // namespace

std::string KernelVersion::Text() const {
  static const char* const kLabels[] = {"", "-dev", "-alpha", "-beta"};
  std::string out =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  return out + (prerelease <= 3 ? std::string(kLabels[prerelease])
                                : "-pre-release" + std::to_string(prerelease));
}

const char* AttributeTypeName(uint16_t type) {
  switch (type) {
    case kKatlvAppMemory:
      return "app memory";
    case kKatlvKernelFlash:
      return "kernel flash";
    case kKatlvKernelVersion:
      return "kernel version";
    case kKatlvPublicKey:
      return "public key";
    default:
      return "unknown";
  }
}

KernelAttributes ParseKernelAttributes(std::span<const uint8_t> tail, uint64_t end_address,
                                       const std::string& source) {
  if (end_address < tail.size())
    Fail(source, "kernel attributes: " + std::to_string(tail.size()) + " bytes cannot end at " +
                     HexNumber(end_address));
  CheckHeader(tail, end_address, source);
  const uint64_t base = end_address - tail.size();
  ByteReader reader(tail, "kernel attributes");
  KernelAttributes a;
  a.end = end_address;
  a.version = kKernelAttributesVersion;
  uint64_t pos = tail.size() - kKernelAttributesHeaderSize;  // Start of the part walked so far.
  while (pos >= kTlvHeaderSize) {
    ByteReader header = reader.At(pos - kTlvHeaderSize, kTlvHeaderSize, "TLV header");
    TlvHeader tlv{header.U16Le(), header.U16Le(), pos - kTlvHeaderSize};
    if (!IsKnownType(tlv.type)) break;
    CheckLength(tlv, base + tlv.value_end, source);
    if (tlv.length > tlv.value_end)
      Fail(source, "kernel attributes: the " + std::string(AttributeTypeName(tlv.type)) +
                       " TLV at " + HexNumber(base + tlv.value_end) + " has a value of " +
                       std::to_string(tlv.length) + " bytes but only " +
                       std::to_string(tlv.value_end) + " bytes are in front of it");
    uint64_t value_start = tlv.value_end - tlv.length;
    Record(a, reader, {tlv.type, tlv.length, base + value_start}, value_start, source);
    pos = value_start;
  }
  a.address = base + pos;
  return a;
}

std::string FormatKernelAttributes(const KernelAttributes& a) {
  auto range = [](const std::optional<AttributeRange>& r) {
    if (!r) return std::string("(not in the attributes)");
    return HexNumber(r->start) + ".." + HexNumber(uint64_t{r->start} + r->size) + "  " +
           std::to_string(r->size) + " bytes";
  };
  std::string out = "kernel version  " +
                    (a.kernel_version ? a.kernel_version->Text() : "(not in the attributes)") +
                    "\n";
  out += "kernel flash    " + range(a.kernel_flash) + "\n";
  out += "app memory      " + range(a.app_memory) + "\n";
  out += "attributes      " + HexNumber(a.address) + ".." + HexNumber(a.end) + "  " +
         std::to_string(a.Size()) + " bytes, version " + std::to_string(a.version) + ", " +
         std::to_string(a.tlvs.size()) + " TLV" + (a.tlvs.size() == 1 ? "" : "s") + "\n";
  return out;
}

nlohmann::ordered_json KernelAttributesToJson(const KernelAttributes& a) {
  auto range = [](const std::optional<AttributeRange>& r) -> nlohmann::ordered_json {
    if (!r) return nullptr;
    return {{"start", HexNumber(r->start)}, {"size", r->size}};
  };
  nlohmann::ordered_json version = nullptr;
  if (a.kernel_version)
    version = {{"text", a.kernel_version->Text()},
               {"major", a.kernel_version->major},
               {"minor", a.kernel_version->minor},
               {"patch", a.kernel_version->patch},
               {"prerelease", a.kernel_version->prerelease}};
  nlohmann::ordered_json tlvs = nlohmann::ordered_json::array();
  for (const AttributeTlv& t : a.tlvs)
    tlvs.push_back({{"type", HexNumber(t.type)},
                    {"name", AttributeTypeName(t.type)},
                    {"address", HexNumber(t.address)},
                    {"length", t.length}});
  return {{"kernel_version", version},
          {"kernel_flash", range(a.kernel_flash)},
          {"app_memory", range(a.app_memory)},
          {"attributes",
           {{"address", HexNumber(a.address)},
            {"end", HexNumber(a.end)},
            {"size", a.Size()},
            {"version", a.version},
            {"tlvs", tlvs}}}};
}

}  // namespace tockctl
