#include "apps/tbf.h"

#include <algorithm>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl::apps {
namespace {

Error TbfError(const std::string& what, uint64_t offset, const std::string& message,
               const std::string& hint) {
  ErrorContext ctx;
  ctx.file = what;
  ctx.offset = offset;
  return Error(ErrorCategory::kInvalidInput, message, ctx, hint);
}

constexpr const char* kRebuildHint = "rebuild the app with elf2tab";

void RequireLength(const std::string& what, uint64_t offset, uint16_t type, size_t length,
                   size_t expected) {
  if (length == expected) return;
  throw TbfError(what, offset,
                 std::string("TLV ") + TbfTlvName(type) + " is " + std::to_string(length) +
                     " bytes long, the kernel requires " + std::to_string(expected),
                 kRebuildHint);
}

TbfMain ReadMain(ByteReader& r) {
  TbfMain m;
  m.init_fn_offset = r.U32Le();
  m.protected_trailer_size = r.U32Le();
  m.minimum_ram_size = r.U32Le();
  return m;
}

std::vector<uint32_t> ReadIdList(ByteReader& r) {
  std::vector<uint32_t> ids(r.U16Le());
  for (uint32_t& id : ids) id = r.U32Le();
  return ids;
}

std::vector<TbfPermission> ReadPermissions(ByteReader& r) {
  std::vector<TbfPermission> out(r.U16Le());
  for (TbfPermission& p : out) {
    p.driver = r.U32Le();
    p.offset = r.U32Le();
    p.allowed_commands = r.U64Le();
  }
  return out;
}

std::vector<TbfFlashRegion> ReadFlashRegions(ByteReader& r) {
  std::vector<TbfFlashRegion> out;
  while (!r.empty()) {
    TbfFlashRegion region;
    region.offset = r.U32Le();
    region.size = r.U32Le();
    out.push_back(region);
  }
  return out;
}

void DecodeFixedLengthTlv(TbfHeader& h, uint16_t type, ByteReader& r) {
  switch (type) {
    case kTbfMain:
      h.main = ReadMain(r);
      return;
    case kTbfProgram: {
      TbfProgram p;
      p.main = ReadMain(r);
      p.binary_end_offset = r.U32Le();
      p.version = r.U32Le();
      h.program = p;
      return;
    }
    case kTbfFixedAddresses: {
      TbfFixedAddresses f;
      f.ram = r.U32Le();
      f.flash = r.U32Le();
      h.fixed_addresses = f;
      return;
    }
    case kTbfKernelVersion: {
      TbfKernelVersion v;
      v.major = r.U16Le();
      v.minor = r.U16Le();
      h.kernel_version = v;
      return;
    }
    default:
      h.short_id = r.U32Le();
  }
}

std::optional<size_t> FixedTlvLength(uint16_t type) {
  switch (type) {
    case kTbfMain:
      return 12;
    case kTbfProgram:
      return 20;
    case kTbfPicOption1:
      return 40;
    case kTbfFixedAddresses:
      return 8;
    case kTbfKernelVersion:
    case kTbfShortId:
      return 4;
    default:
      return std::nullopt;
  }
}

void DecodeVariableTlv(TbfHeader& h, uint16_t type, ByteReader& r, const std::string& what,
                       uint64_t offset) {
  switch (type) {
    case kTbfWriteableFlashRegions:
      if (r.remaining() % 8 != 0) RequireLength(what, offset, type, r.remaining(), 8);
      h.writeable_flash_regions = ReadFlashRegions(r);
      break;
    case kTbfPackageName:
      h.package_name = r.String(r.remaining());
      break;
    case kTbfPicOption1: {
      auto bytes = r.Rest();
      h.pic_option1 = std::vector<uint8_t>(bytes.begin(), bytes.end());
      break;
    }
    case kTbfPermissions:
      h.permissions = ReadPermissions(r);
      break;
    case kTbfStoragePermissions: {
      TbfStoragePermissions s;
      s.write_id = r.U32Le();
      s.read_ids = ReadIdList(r);
      s.modify_ids = ReadIdList(r);
      h.storage_permissions = s;
      break;
    }
    default:
      DecodeFixedLengthTlv(h, type, r);
  }
  if (!r.empty())
    throw TbfError(what, offset + 4 + r.position(),
                   std::string("TLV ") + TbfTlvName(type) + " has " +
                       std::to_string(r.remaining()) + " bytes after its last field",
                   kRebuildHint);
}

bool IsKnownHeaderTlv(uint16_t type) { return type >= kTbfMain && type <= kTbfShortId; }

void DecodeTlv(TbfHeader& h, uint16_t type, ByteReader r, const std::string& what,
               uint64_t offset) {
  h.tlv_order.push_back(type);
  if (!IsKnownHeaderTlv(type)) {
    auto bytes = r.Rest();
    h.unknown_tlvs.push_back({type, std::vector<uint8_t>(bytes.begin(), bytes.end())});
    return;
  }
  if (auto fixed = FixedTlvLength(type)) RequireLength(what, offset, type, r.remaining(), *fixed);
  DecodeVariableTlv(h, type, r, what, offset);
}

size_t PaddedTo4(size_t n) { return (n + 3) & ~size_t{3}; }

void ReadTlvs(TbfHeader& h, const ByteReader& whole, const std::string& what) {
  uint64_t offset = kTbfBaseHeaderSize;
  while (offset < h.header_size) {
    ByteReader tl = whole.At(offset, std::min<uint64_t>(4, h.header_size - offset), what);
    if (tl.remaining() < 4)
      throw TbfError(what, offset,
                     "a TLV starts " + std::to_string(tl.remaining()) +
                         " bytes before the header's end, too few for its type and length",
                     kRebuildHint);
    const uint16_t type = tl.U16Le();
    const uint16_t length = tl.U16Le();
    if (offset + 4 + length > h.header_size)
      throw TbfError(what, offset,
                     std::string("TLV ") + TbfTlvName(type) + " (" + std::to_string(length) +
                         " bytes) runs past the header's end at " + HexNumber(h.header_size),
                     kRebuildHint);
    DecodeTlv(h, type, whole.At(offset + 4, length, what), what, offset);
    offset += 4 + PaddedTo4(length);
  }
}

void ReadFooters(TbfFile& tbf, const ByteReader& whole, const std::string& what) {
  TbfHeader& h = tbf.header;
  uint64_t offset = h.BinaryEnd();
  while (h.total_size - offset >= 4) {
    auto rest = std::span(tbf.bytes).subspan(offset);
    if (std::all_of(rest.begin(), rest.end(), [](uint8_t b) { return b == 0; })) {
      h.footer_padding = static_cast<uint32_t>(rest.size());
      return;
    }
    ByteReader tl = whole.At(offset, 4, what);
    const uint16_t type = tl.U16Le();
    const uint16_t length = tl.U16Le();
    if (length > h.total_size - offset - 4) {
      tbf.findings.push_back("footer at offset " + HexNumber(offset) + " (" +
                             std::to_string(length) + " bytes) runs past total_size " +
                             HexNumber(h.total_size) + "; the kernel stops reading footers there");
      return;
    }
    ByteReader data = whole.At(offset + 4, length, what);
    if (type == kTbfCredentials && length >= 4) {
      TbfCredential c;
      c.format = data.U32Le();
      auto bytes = data.Rest();
      c.data.assign(bytes.begin(), bytes.end());
      auto want = TbfCredentialDataSize(c.format);
      if (want && *want != c.data.size())
        tbf.findings.push_back("credentials footer " +
                               std::string(TbfCredentialFormatName(c.format)) + " at offset " +
                               HexNumber(offset) + " has " + std::to_string(c.data.size()) +
                               " bytes of data, the kernel expects " + std::to_string(*want));
      h.credentials.push_back(std::move(c));
    } else {
      auto bytes = data.Rest();
      h.other_footers.push_back({type, std::vector<uint8_t>(bytes.begin(), bytes.end())});
    }
    offset += 4 + length;
  }
}

void CheckSizes(const TbfHeader& h, size_t available, const std::string& what) {
  if (h.version != 2)
    throw TbfError(what, 0, "TBF version is " + std::to_string(h.version) + ", not 2",
                   "this is not a Tock app (or a TBF version the kernel no longer loads)");
  if (h.header_size < kTbfBaseHeaderSize || h.header_size > h.total_size)
    throw TbfError(what, 2,
                   "header_size " + HexNumber(h.header_size) + " is outside 0x10.." +
                       "total_size " + HexNumber(h.total_size),
                   kRebuildHint);
  if (h.total_size > available)
    throw TbfError(what, 4,
                   "total_size " + HexNumber(h.total_size) + " is past the end of the data (" +
                       HexNumber(available) + " bytes)",
                   "the file is truncated: copy or download it again");
  if (h.program &&
      (h.program->binary_end_offset > h.total_size || h.program->binary_end_offset < h.header_size))
    throw TbfError(what, 0,
                   "Program binary_end_offset " + HexNumber(h.program->binary_end_offset) +
                       " is outside header_size.." + "total_size " + HexNumber(h.total_size) +
                       " (the kernel would stop loading every later app)",
                   kRebuildHint);
}

void AddFindings(TbfFile& tbf) {
  const TbfHeader& h = tbf.header;
  const uint32_t actual = TbfChecksum(std::span(tbf.bytes).first(h.header_size));
  if (actual != h.checksum)
    tbf.findings.push_back("checksum " + HexWord(h.checksum) + " is wrong: expected " +
                           HexWord(actual) + "; the kernel refuses this app");
  if (!h.IsPadding() && !h.kernel_version)
    tbf.findings.emplace_back("no KernelVersion TLV; the kernel refuses apps without one");
  if (!h.IsPadding() && !h.main && !h.program)
    tbf.findings.emplace_back(
        "neither Main nor Program TLV; the kernel has no entry point to start");
}

}  // namespace

const char* TbfTlvName(uint16_t type) {
  switch (type) {
    case kTbfMain:
      return "Main";
    case kTbfWriteableFlashRegions:
      return "WriteableFlashRegions";
    case kTbfPackageName:
      return "PackageName";
    case kTbfPicOption1:
      return "PicOption1";
    case kTbfFixedAddresses:
      return "FixedAddresses";
    case kTbfPermissions:
      return "Permissions";
    case kTbfStoragePermissions:
      return "StoragePermissions";
    case kTbfKernelVersion:
      return "KernelVersion";
    case kTbfProgram:
      return "Program";
    case kTbfShortId:
      return "ShortId";
    case kTbfCredentials:
      return "Credentials";
    default:
      return "unknown";
  }
}

const char* TbfCredentialFormatName(uint32_t format) {
  switch (format) {
    case 0:
      return "Reserved";
    case 1:
      return "Rsa3072Key";
    case 2:
      return "Rsa4096Key";
    case 3:
      return "SHA256";
    case 4:
      return "SHA384";
    case 5:
      return "SHA512";
    case 6:
      return "EcdsaNistP256";
    case 7:
      return "HmacSha256";
    case 0xA:
      return "Rsa2048";
    case 0xF1:
      return "CleartextId";
    default:
      return "unknown";
  }
}

std::optional<size_t> TbfCredentialDataSize(uint32_t format) {
  switch (format) {
    case 1:
      return 768;  // 384-byte public key + 384-byte signature
    case 2:
      return 1024;
    case 3:
      return 32;
    case 4:
      return 48;
    case 5:
    case 6:
      return 64;
    default:
      return std::nullopt;
  }
}

std::optional<TbfMain> TbfHeader::Entry() const {
  if (program) return program->main;
  return main;
}

uint32_t TbfChecksum(std::span<const uint8_t> header) {
  uint32_t sum = 0;
  for (size_t i = 0; i < header.size(); i += 4) {
    if (i == 12) continue;
    uint32_t word = 0;
    for (size_t b = 0; b < 4 && i + b < header.size(); ++b)
      word |= uint32_t{header[i + b]} << (8 * b);
    sum ^= word;
  }
  return sum;
}

TbfHeader ParseTbfBaseHeader(std::span<const uint8_t> data, const std::string& what) {
  ByteReader r(data, what);
  TbfHeader h;
  h.version = r.U16Le();
  h.header_size = r.U16Le();
  h.total_size = r.U32Le();
  h.flags = r.U32Le();
  h.checksum = r.U32Le();
  return h;
}

TbfFile ParseTbf(std::span<const uint8_t> data, const std::string& what) {
  TbfFile tbf;
  if (data.size() < kTbfBaseHeaderSize)
    throw TbfError(
        what, 0,
        "is " + std::to_string(data.size()) + " bytes, shorter than a TBF base header (16 bytes)",
        "give a .tbf or .tab file built by elf2tab");
  tbf.header = ParseTbfBaseHeader(data, what);
  CheckSizes(tbf.header, data.size(), what);
  tbf.bytes.assign(data.begin(), data.begin() + tbf.header.total_size);
  ByteReader whole(tbf.bytes, what);
  ReadTlvs(tbf.header, whole, what);
  CheckSizes(tbf.header, data.size(), what);
  ReadFooters(tbf, whole, what);
  AddFindings(tbf);
  return tbf;
}

namespace {

void AppendLe16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

void AppendLe64(std::vector<uint8_t>& out, uint64_t v) {
  AppendLe32(out, static_cast<uint32_t>(v));
  AppendLe32(out, static_cast<uint32_t>(v >> 32));
}

void AppendTlv(std::vector<uint8_t>& out, uint16_t type, const std::vector<uint8_t>& data) {
  AppendLe16(out, type);
  AppendLe16(out, static_cast<uint16_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  out.resize(PaddedTo4(out.size()), 0);
}

std::vector<uint8_t> MainBytes(const TbfMain& m) {
  std::vector<uint8_t> out;
  AppendLe32(out, m.init_fn_offset);
  AppendLe32(out, m.protected_trailer_size);
  AppendLe32(out, m.minimum_ram_size);
  return out;
}

std::vector<uint8_t> ProgramBytes(const TbfProgram& p) {
  std::vector<uint8_t> out = MainBytes(p.main);
  AppendLe32(out, p.binary_end_offset);
  AppendLe32(out, p.version);
  return out;
}

std::vector<uint8_t> PermissionBytes(const std::vector<TbfPermission>& permissions) {
  std::vector<uint8_t> out;
  AppendLe16(out, static_cast<uint16_t>(permissions.size()));
  for (const TbfPermission& p : permissions) {
    AppendLe32(out, p.driver);
    AppendLe32(out, p.offset);
    AppendLe64(out, p.allowed_commands);
  }
  return out;
}

std::vector<uint8_t> StorageBytes(const TbfStoragePermissions& s) {
  std::vector<uint8_t> out;
  AppendLe32(out, s.write_id);
  AppendLe16(out, static_cast<uint16_t>(s.read_ids.size()));
  for (uint32_t id : s.read_ids) AppendLe32(out, id);
  AppendLe16(out, static_cast<uint16_t>(s.modify_ids.size()));
  for (uint32_t id : s.modify_ids) AppendLe32(out, id);
  return out;
}

void AppendOptionalTlvs(std::vector<uint8_t>& out, const TbfHeader& h) {
  if (!h.writeable_flash_regions.empty()) {
    std::vector<uint8_t> data;
    for (const TbfFlashRegion& region : h.writeable_flash_regions) {
      AppendLe32(data, region.offset);
      AppendLe32(data, region.size);
    }
    AppendTlv(out, kTbfWriteableFlashRegions, data);
  }
  if (h.fixed_addresses) {
    std::vector<uint8_t> data;
    AppendLe32(data, h.fixed_addresses->ram);
    AppendLe32(data, h.fixed_addresses->flash);
    AppendTlv(out, kTbfFixedAddresses, data);
  }
  if (h.permissions) AppendTlv(out, kTbfPermissions, PermissionBytes(*h.permissions));
  if (h.storage_permissions)
    AppendTlv(out, kTbfStoragePermissions, StorageBytes(*h.storage_permissions));
}

std::vector<uint8_t> HeaderTlvs(const TbfHeader& h, uint32_t binary_end) {
  std::vector<uint8_t> out;
  if (h.main) AppendTlv(out, kTbfMain, MainBytes(*h.main));
  if (h.program) {
    TbfProgram p = *h.program;
    p.binary_end_offset = binary_end;
    AppendTlv(out, kTbfProgram, ProgramBytes(p));
  }
  if (h.package_name)
    AppendTlv(out, kTbfPackageName,
              std::vector<uint8_t>(h.package_name->begin(), h.package_name->end()));
  AppendOptionalTlvs(out, h);
  if (h.kernel_version) {
    std::vector<uint8_t> data;
    AppendLe16(data, h.kernel_version->major);
    AppendLe16(data, h.kernel_version->minor);
    AppendTlv(out, kTbfKernelVersion, data);
  }
  if (h.short_id) {
    std::vector<uint8_t> data;
    AppendLe32(data, *h.short_id);
    AppendTlv(out, kTbfShortId, data);
  }
  if (h.pic_option1) AppendTlv(out, kTbfPicOption1, *h.pic_option1);
  for (const TbfRawTlv& t : h.unknown_tlvs) AppendTlv(out, t.type, t.data);
  return out;
}

std::vector<uint8_t> FooterBytes(const TbfHeader& h) {
  std::vector<uint8_t> out;
  for (const TbfCredential& c : h.credentials) {
    AppendLe16(out, kTbfCredentials);
    AppendLe16(out, static_cast<uint16_t>(4 + c.data.size()));
    AppendLe32(out, c.format);
    out.insert(out.end(), c.data.begin(), c.data.end());
  }
  for (const TbfRawTlv& t : h.other_footers) {
    AppendLe16(out, t.type);
    AppendLe16(out, static_cast<uint16_t>(t.data.size()));
    out.insert(out.end(), t.data.begin(), t.data.end());
  }
  return out;
}

// `size` (at least 8) bytes of Reserved credentials footers, each at most 0xfff0 bytes.
void AppendReservedFooters(std::vector<uint8_t>& out, size_t size) {
  while (size != 0) {
    size_t chunk = std::min<size_t>(size, 0xFFF0);
    if (size - chunk != 0 && size - chunk < 8) chunk -= 8;
    AppendLe16(out, kTbfCredentials);
    AppendLe16(out, static_cast<uint16_t>(chunk - 4));
    AppendLe32(out, 0);  // Reserved
    out.resize(out.size() + chunk - 8, 0);
    size -= chunk;
  }
}

void StoreBaseHeader(std::vector<uint8_t>& out, const TbfHeader& h, uint32_t header_size,
                     uint32_t total_size) {
  StoreU16Le(out.data(), h.version);
  StoreU16Le(out.data() + 2, static_cast<uint16_t>(header_size));
  StoreU32Le(out.data() + 4, total_size);
  StoreU32Le(out.data() + 8, h.flags);
  StoreU32Le(out.data() + 12, 0);
  StoreU32Le(out.data() + 12, TbfChecksum(std::span(out).first(header_size)));
}

}  // namespace

std::vector<uint8_t> BuildTbf(const TbfBuild& build) {
  const TbfHeader& h = build.header;
  // The TLVs' length does not depend on binary_end, so measure them first.
  const uint32_t header_size = kTbfBaseHeaderSize + static_cast<uint32_t>(HeaderTlvs(h, 0).size());
  const uint32_t binary_end = header_size + static_cast<uint32_t>(build.binary.size());
  std::vector<uint8_t> out(kTbfBaseHeaderSize, 0);
  auto tlvs = HeaderTlvs(h, binary_end);
  out.insert(out.end(), tlvs.begin(), tlvs.end());
  out.insert(out.end(), build.binary.begin(), build.binary.end());
  auto footers = FooterBytes(h);
  out.insert(out.end(), footers.begin(), footers.end());
  if (out.size() < build.minimum_total_size)
    AppendReservedFooters(out, std::max<size_t>(build.minimum_total_size - out.size(), 8));
  out.resize(out.size() + build.zero_padding, 0);
  StoreBaseHeader(out, h, header_size, static_cast<uint32_t>(out.size()));
  return out;
}

std::vector<uint8_t> BuildPaddingTbf(uint32_t total_size) {
  std::vector<uint8_t> out(std::max(total_size, kTbfBaseHeaderSize), 0xFF);
  TbfHeader h;
  StoreBaseHeader(out, h, kTbfBaseHeaderSize, static_cast<uint32_t>(out.size()));
  return out;
}

std::vector<uint8_t> WithTbfFlags(std::span<const uint8_t> tbf, uint32_t flags) {
  TbfHeader h = ParseTbfBaseHeader(tbf, "TBF");
  if (h.header_size < kTbfBaseHeaderSize || h.header_size > tbf.size())
    throw Error(ErrorCategory::kInvalidInput,
                "TBF header_size " + HexNumber(h.header_size) + " is past its data");
  std::vector<uint8_t> out(tbf.begin(), tbf.end());
  StoreU32Le(out.data() + 8, flags);
  StoreU32Le(out.data() + 12, 0);
  StoreU32Le(out.data() + 12, TbfChecksum(std::span(out).first(h.header_size)));
  return out;
}

}  // namespace tockctl::apps
