#include "config/board_summary.h"

#include <cstdio>

#include "config/board_reader.h"

namespace tockctl::config {
namespace {

using Json = nlohmann::ordered_json;

std::string ValueText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) return v.dump();
  std::string out;
  for (const auto& item : v) out += (out.empty() ? "" : ",") + ValueText(item);
  return out;
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string RegionLine(const MemoryRegion& r) {
  std::string range = FormatBoardHex(r.origin) + "-" + FormatBoardHex(r.origin + r.length - 1);
  return "  " + Pad(r.name, 22) + Pad(range, 24) + KibText(r.length) + "\n";
}

std::string IdentityText(const HardwareBoard& b) {
  std::string out = b.name + ": " + b.description + "\n";
  out += "  " + Pad("tock path", 22) + b.tock_path + " (cargo package " + b.package + ")\n";
  out += "  " + Pad("chip", 22) + b.chip + "\n";
  out += "  " + Pad("core", 22) + b.core + " (" + b.arch + ")\n";
  out += "  " + Pad("target", 22) + b.target + "\n";
  out += "  " + Pad("tier", 22) + (b.tier ? std::to_string(*b.tier) : std::string("-")) + "\n";
  return out;
}

std::string MemoryText(const HardwareBoard& b) {
  std::string out = "Memory (page size " + std::to_string(b.page_size) + " bytes)\n";
  for (const MemoryRegion* r : {&b.memory.kernel_flash, &b.memory.app_flash, &b.memory.ram})
    out += RegionLine(*r);
  for (const auto& r : b.memory.reserved) {
    MemoryRegion labelled = r;
    labelled.name = "reserved " + r.name;
    out += RegionLine(labelled);
  }
  if (!b.memory.reserved.empty()) out += "  reserved regions are never written without --force\n";
  return out;
}

std::string ProtectionText(const Protection& p) {
  std::string out = "Protection: " + std::string(ProtectionKindName(p.kind)) + "\n";
  out += "  " + std::to_string(p.regions) + " hardware regions; a process may use " +
         std::to_string(p.app_regions) + ", " + std::to_string(p.process_reserved) +
         " of them for its own flash and RAM, leaving " +
         std::to_string(p.app_regions - std::min(p.app_regions, p.process_reserved)) +
         " for sharing\n";
  out +=
      "  minimum region size " + std::to_string(p.min_region_size) + " bytes; sizes " +
      (p.power_of_two ? "must be powers of two" : "need not be powers of two") + "; base " +
      (p.size_aligned ? "aligned to its size" : "not tied to size") + "; " +
      (p.subregions ? std::to_string(p.subregions) + " subregions per region" : "no subregions") +
      "\n";
  if (!p.source.empty()) out += "  source: " + p.source + "\n";
  return out;
}

std::string MethodLine(const FlashMethod& m, bool is_default) {
  std::string details;
  for (const auto& [key, value] : m.settings.items())
    if (key != "method") details += (details.empty() ? "" : " ") + key + "=" + ValueText(value);
  std::string marker = is_default ? "  * " : "    ";
  if (details.empty()) return marker + m.method + "\n";
  return marker + Pad(m.method, 16) + details + "\n";
}

std::string FlashText(const HardwareBoard& b) {
  std::string out = "Flash methods (* = default)\n";
  bool marked = false;
  for (const auto& m : b.flash_methods) {
    bool is_default = !marked && m.method == b.default_flash_method;
    marked = marked || is_default;
    out += MethodLine(m, is_default);
  }
  return out;
}

std::string LinkText(const std::string& title, const Json& link) {
  std::string out = title + ": ";
  std::string details;
  for (const auto& [key, value] : link.items())
    if (key != "rust")
      details += (details.empty() ? "" : ", ") + (key == "kind" || key == "link" || key == "device"
                                                      ? ValueText(value)
                                                      : key + " " + ValueText(value));
  return out + details + "\n";
}

// The files a list of board file edits (trace.rust.expose, .radio.edits, .ethernet.edits)
// touches, in order.
std::string EditedFiles(const Json& edits) {
  std::string files;
  for (const auto& e : edits) {
    std::string file = ValueText(e["file"]);
    if (files.find(file) == std::string::npos) files += (files.empty() ? "" : ", ") + file;
  }
  return files;
}

// The tracer's Rust facts (board.trace.rust), when the board has them.
std::string TracerFactsText(const Json& trace) {
  if (!trace.is_object() || !trace.contains("rust")) return {};
  const Json& rust = trace["rust"];
  std::string out = "  tracer (tockctl build --integrate): chip " + ValueText(rust["chip"]) +
                    ", clock " + ValueText(rust["clock"]) + "\n";
  if (rust.contains("expose"))
    out += "  --integrate also adds lines at " + std::to_string(rust["expose"].size()) +
           " anchors of " + EditedFiles(rust["expose"]) + "\n";
  for (auto [key, what] :
       {std::pair{"ethernet", "Ethernet shim on "}, std::pair{"radio", "802.15.4 shim on "}}) {
    if (!rust.contains(key)) continue;
    const Json& shim = rust[key];
    out += "  " + std::string(what) + ValueText(shim["hardware"]) + " (Trace" +
           (std::string(key) == "radio" ? "Radio" : "Ethernet") + " around " +
           ValueText(shim["type"]) + "): " + std::to_string(shim["edits"].size()) + " edits of " +
           EditedFiles(shim["edits"]) + "\n";
  }
  return out;
}

std::string NetworkText(const HardwareBoard& b) {
  if (b.network_hardware.empty()) return "Network hardware: none\n";
  std::string out = "Network hardware\n";
  for (const auto& n : b.network_hardware) {
    std::string driver = n.HasSyscallDriver() ? n.driver + " driver " + FormatBoardHex(n.driver_num)
                                              : "no syscall driver (kernel only)";
    out += "  " + Pad(n.name, 8) + Pad(n.kind, 12) + n.device + "; " + driver + "\n";
    if (!n.note.empty()) out += "  " + std::string(20, ' ') + n.note + "\n";
  }
  return out;
}

std::string SourceText(const HardwareBoard& b) {
  std::string out = "Legacy IPC (0x10000): ";
  out += b.legacy_ipc ? (*b.legacy_ipc ? "yes" : "no") : "unknown";
  out += "\n";
  if (b.source.is_object() && !b.source.empty()) {
    std::string files;
    for (const auto& [key, value] : b.source.items())
      files += (files.empty() ? "" : ", ") + ValueText(value);
    out += "Facts from: " + files + "\n";
  }
  return out;
}

}  // namespace

std::string KibText(uint64_t bytes) {
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  return buf;
}

std::string NetworkSummary(const HardwareBoard& board) {
  std::string out;
  for (const auto& n : board.network_hardware) {
    std::string item = n.HasSyscallDriver() ? n.kind + " " + FormatBoardHex(n.driver_num)
                                            : n.kind + " (kernel only)";
    out += (out.empty() ? "" : ", ") + item;
  }
  return out.empty() ? "-" : out;
}

std::vector<std::vector<std::string>> BoardListRows(const BoardCatalog& catalog) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "CHIP", "CORE", "PROTECTION", "FLASH", "NETWORK"}};
  for (const CatalogEntry* e : catalog.Entries()) {
    const HardwareBoard& b = e->board;
    rows.push_back({b.name, b.chip, b.core, ProtectionKindName(b.protection.kind),
                    b.default_flash_method, NetworkSummary(b)});
  }
  return rows;
}

Json BoardListJson(const BoardCatalog& catalog) {
  Json out = Json::array();
  for (const CatalogEntry* e : catalog.Entries()) out.push_back(e->board);
  return out;
}

std::string DescribeBoard(const HardwareBoard& b) {
  return IdentityText(b) + MemoryText(b) + ProtectionText(b.protection) + FlashText(b) +
         LinkText("Console", b.console) + LinkText("Trace", b.trace) + TracerFactsText(b.trace) +
         NetworkText(b) + SourceText(b);
}

}  // namespace tockctl::config
