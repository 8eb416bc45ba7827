#include "apps/app_report.h"

#include "common/hex.h"

namespace tockctl::apps {
namespace {

std::string HexBytes(const std::vector<uint8_t>& data, size_t limit = 16) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < data.size() && i < limit; ++i) {
    if (i != 0) out += ' ';
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xF];
  }
  if (data.size() > limit) out += " ...";
  return out;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string IdList(const std::vector<uint32_t>& ids) {
  std::vector<std::string> items;
  items.reserve(ids.size());
  for (uint32_t id : ids) items.push_back(HexNumber(id));
  return "[" + Join(items, ", ") + "]";
}

std::string MainText(const TbfMain& m) {
  return "init_fn_offset " + HexNumber(m.init_fn_offset) + ", protected_trailer_size " +
         HexNumber(m.protected_trailer_size) + ", minimum_ram_size " +
         HexNumber(m.minimum_ram_size);
}

std::string FixedText(uint32_t value) {
  return value == kTbfNoFixedAddress ? "none" : HexWord(value);
}

void TlvLines(std::vector<std::string>& out, const TbfHeader& h) {
  if (h.main) out.push_back("Main: " + MainText(*h.main));
  if (h.program)
    out.push_back("Program: " + MainText(h.program->main) + ", binary_end_offset " +
                  HexNumber(h.program->binary_end_offset) + ", version " +
                  std::to_string(h.program->version));
  if (h.package_name) out.push_back("PackageName: \"" + *h.package_name + "\"");
  for (const TbfFlashRegion& r : h.writeable_flash_regions)
    out.push_back("WriteableFlashRegions: offset " + HexNumber(r.offset) + ", size " +
                  HexNumber(r.size));
  if (h.fixed_addresses)
    out.push_back("FixedAddresses: flash " + FixedText(h.fixed_addresses->flash) + ", ram " +
                  FixedText(h.fixed_addresses->ram));
  if (h.permissions)
    for (const TbfPermission& p : *h.permissions)
      out.push_back("Permissions: driver " + HexNumber(p.driver) + ", commands from " +
                    std::to_string(uint64_t{p.offset} * 64) + ", mask " +
                    HexNumber(p.allowed_commands));
  if (h.storage_permissions)
    out.push_back("StoragePermissions: write_id " + HexNumber(h.storage_permissions->write_id) +
                  ", read " + IdList(h.storage_permissions->read_ids) + ", modify " +
                  IdList(h.storage_permissions->modify_ids));
  if (h.kernel_version)
    out.push_back("KernelVersion: ^" + std::to_string(h.kernel_version->major) + "." +
                  std::to_string(h.kernel_version->minor));
  if (h.short_id) out.push_back("ShortId: " + HexWord(*h.short_id));
  if (h.pic_option1) out.push_back("PicOption1: " + HexBytes(*h.pic_option1));
  for (const TbfRawTlv& t : h.unknown_tlvs)
    out.push_back("TLV " + HexNumber(t.type) +
                  ((t.type & 0x8000) != 0 ? " (unknown, out-of-tree): " : " (unknown): ") +
                  std::to_string(t.data.size()) + " bytes: " + HexBytes(t.data));
}

void FooterLines(std::vector<std::string>& out, const TbfHeader& h) {
  for (const TbfCredential& c : h.credentials)
    out.push_back("footer Credentials " + std::string(TbfCredentialFormatName(c.format)) + " (" +
                  HexNumber(c.format) + "): " + std::to_string(c.data.size()) +
                  " bytes: " + HexBytes(c.data));
  for (const TbfRawTlv& t : h.other_footers)
    out.push_back("footer " + HexNumber(t.type) + ": " + std::to_string(t.data.size()) +
                  " bytes: " + HexBytes(t.data));
  if (h.footer_padding != 0)
    out.push_back("footer padding: " + std::to_string(h.footer_padding) + " zero bytes");
}

}  // namespace

std::vector<std::string> DescribeTbfTlvs(const TbfHeader& header) {
  std::vector<std::string> lines;
  TlvLines(lines, header);
  FooterLines(lines, header);
  return lines;
}

namespace {

std::string TbfTitle(const TabTbf& t) {
  const TbfHeader& h = t.tbf.header;
  std::string title = t.file + ": ";
  title += h.IsPadding() ? "padding" : "app \"" + h.Name() + "\"";
  title += ", " + HexNumber(h.total_size) + " bytes, " + DescribeTbfFlags(h);
  if (!t.arch.empty() && t.arch != t.file) title += ", arch " + t.arch;
  return title;
}

void RenderTbf(std::string& out, const TabTbf& t) {
  const TbfHeader& h = t.tbf.header;
  const uint32_t expected = TbfChecksum(std::span(t.tbf.bytes).first(h.header_size));
  std::vector<std::string> lines = {"header: version 2, header_size " + HexNumber(h.header_size) +
                                    ", total_size " + HexNumber(h.total_size) + ", flags " +
                                    HexNumber(h.flags) + ", checksum " + HexWord(h.checksum) +
                                    (expected == h.checksum ? " (correct)" : " (wrong)")};
  TlvLines(lines, h);
  FooterLines(lines, h);
  for (const std::string& f : t.tbf.findings) lines.push_back("finding: " + f);
  out += TbfTitle(t) + "\n";
  for (const std::string& line : lines) out += "  " + line + "\n";
}

void RenderMetadata(std::string& out, const AppBundle& b) {
  const TabMetadata& m = *b.metadata;
  out += b.path + ": TAB \"" + b.Name() + "\", " + std::to_string(b.tbfs.size()) + " TBF" +
         (b.tbfs.size() == 1 ? "" : "s") + "\n";
  if (m.tab_version) out += "  tab-version: " + std::to_string(*m.tab_version) + "\n";
  out +=
      "  only-for-boards: " + (m.only_for_boards.empty() ? "any" : Join(m.only_for_boards, ", ")) +
      "\n";
  if (!m.build_date.empty()) out += "  build-date: " + m.build_date + "\n";
  if (!m.KernelVersion().empty()) out += "  kernel version: " + m.KernelVersion() + "\n";
  if (m.minimum_ram_size)
    out += "  minimum-ram-size: " + std::to_string(*m.minimum_ram_size) + "\n";
  for (const auto& [key, value] : m.other)
    out += "  " + key + ": " + TomlValueToJson(value).dump() + "\n";
  for (const std::string& f : b.other_files) out += "  other file: " + f + "\n";
}

nlohmann::json MainJson(const TbfMain& m) {
  return {{"init_fn_offset", m.init_fn_offset},
          {"protected_trailer_size", m.protected_trailer_size},
          {"minimum_ram_size", m.minimum_ram_size}};
}

nlohmann::json FixedJson(uint32_t value) {
  return value == kTbfNoFixedAddress ? nlohmann::json(nullptr) : nlohmann::json(HexWord(value));
}

void OptionalTlvsJson(nlohmann::json& j, const TbfHeader& h) {
  if (h.fixed_addresses)
    j["fixed_addresses"] = {{"flash", FixedJson(h.fixed_addresses->flash)},
                            {"ram", FixedJson(h.fixed_addresses->ram)}};
  if (h.permissions) {
    j["permissions"] = nlohmann::json::array();
    for (const TbfPermission& p : *h.permissions)
      j["permissions"].push_back({{"driver", HexNumber(p.driver)},
                                  {"offset", p.offset},
                                  {"allowed_commands", HexNumber(p.allowed_commands)}});
  }
  if (h.storage_permissions)
    j["storage_permissions"] = {{"write_id", h.storage_permissions->write_id},
                                {"read_ids", h.storage_permissions->read_ids},
                                {"modify_ids", h.storage_permissions->modify_ids}};
  if (h.kernel_version)
    j["kernel_version"] = {{"major", h.kernel_version->major}, {"minor", h.kernel_version->minor}};
  if (h.short_id) j["short_id"] = HexWord(*h.short_id);
  if (h.pic_option1) j["pic_option1"] = HexBytes(*h.pic_option1, 40);
}

nlohmann::json RawTlvsJson(const std::vector<TbfRawTlv>& tlvs) {
  nlohmann::json out = nlohmann::json::array();
  for (const TbfRawTlv& t : tlvs)
    out.push_back({{"type", t.type}, {"size", t.data.size()}, {"data", HexBytes(t.data, 4096)}});
  return out;
}

nlohmann::json TbfJson(const TabTbf& t) {
  const TbfHeader& h = t.tbf.header;
  nlohmann::json j = {{"file", t.file}, {"arch", t.arch}, {"header", TbfHeaderToJson(h)}};
  j["checksum_correct"] = TbfChecksum(std::span(t.tbf.bytes).first(h.header_size)) == h.checksum;
  j["findings"] = t.tbf.findings;
  return j;
}

nlohmann::json MetadataJson(const TabMetadata& m) {
  nlohmann::json j = {{"name", m.name},
                      {"only_for_boards", m.only_for_boards},
                      {"build_date", m.build_date},
                      {"kernel_version", m.KernelVersion()}};
  j["tab_version"] = m.tab_version ? nlohmann::json(*m.tab_version) : nlohmann::json(nullptr);
  j["minimum_ram_size"] =
      m.minimum_ram_size ? nlohmann::json(*m.minimum_ram_size) : nlohmann::json(nullptr);
  nlohmann::json other = nlohmann::json::object();
  for (const auto& [key, value] : m.other) other[key] = TomlValueToJson(value);
  j["other_keys"] = other;
  return j;
}

}  // namespace

std::string DescribeTbfFlags(const TbfHeader& h) {
  if (h.IsPadding()) return "padding";
  std::string out = h.enabled() ? "enabled" : "disabled";
  if (h.sticky()) out += ", sticky";
  return out;
}

nlohmann::json TbfHeaderToJson(const TbfHeader& h) {
  nlohmann::json j = {{"name", h.Name()},
                      {"padding", h.IsPadding()},
                      {"version", h.version},
                      {"header_size", h.header_size},
                      {"total_size", h.total_size},
                      {"flags", h.flags},
                      {"enabled", h.enabled()},
                      {"sticky", h.sticky()},
                      {"checksum", HexWord(h.checksum)}};
  nlohmann::json tlvs = nlohmann::json::array();
  for (uint16_t type : h.tlv_order) tlvs.push_back(TbfTlvName(type));
  j["tlv_order"] = tlvs;
  if (h.main) j["main"] = MainJson(*h.main);
  if (h.program) {
    j["program"] = MainJson(h.program->main);
    j["program"]["binary_end_offset"] = h.program->binary_end_offset;
    j["program"]["version"] = h.program->version;
  }
  if (h.package_name) j["package_name"] = *h.package_name;
  nlohmann::json regions = nlohmann::json::array();
  for (const TbfFlashRegion& r : h.writeable_flash_regions)
    regions.push_back({{"offset", r.offset}, {"size", r.size}});
  j["writeable_flash_regions"] = regions;
  OptionalTlvsJson(j, h);
  j["unknown_tlvs"] = RawTlvsJson(h.unknown_tlvs);
  nlohmann::json credentials = nlohmann::json::array();
  for (const TbfCredential& c : h.credentials)
    credentials.push_back({{"format", c.format},
                           {"format_name", TbfCredentialFormatName(c.format)},
                           {"size", c.data.size()},
                           {"data", HexBytes(c.data, 4096)}});
  j["credentials"] = credentials;
  j["other_footers"] = RawTlvsJson(h.other_footers);
  j["footer_padding"] = h.footer_padding;
  return j;
}

std::string RenderAppBundle(const AppBundle& b) {
  std::string out;
  if (b.metadata) RenderMetadata(out, b);
  for (const TabTbf& t : b.tbfs) RenderTbf(out, t);
  return out;
}

nlohmann::json AppBundleToJson(const AppBundle& b) {
  nlohmann::json j = {{"file", b.path}, {"kind", b.is_tab ? "tab" : "tbf"}, {"name", b.Name()}};
  j["metadata"] = b.metadata ? MetadataJson(*b.metadata) : nlohmann::json(nullptr);
  nlohmann::json tbfs = nlohmann::json::array();
  for (const TabTbf& t : b.tbfs) {
    nlohmann::json tj = TbfJson(t);
    tj["name_flash"] = t.name_flash ? nlohmann::json(HexNumber(*t.name_flash)) : nullptr;
    tj["name_ram"] = t.name_ram ? nlohmann::json(HexNumber(*t.name_ram)) : nullptr;
    tbfs.push_back(tj);
  }
  j["tbfs"] = tbfs;
  j["other_files"] = b.other_files;
  return j;
}

}  // namespace tockctl::apps
