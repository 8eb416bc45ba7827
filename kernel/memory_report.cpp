#include "kernel/memory_report.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "common/error.h"
#include "common/hex.h"

namespace tockctl::kernel {
namespace {

using config::MemoryRegion;

constexpr const char* kCode = "code and constants";
constexpr const char* kDataInit = "data initializers";
constexpr const char* kData = "data";
constexpr const char* kBss = "bss";
constexpr const char* kStack = "stack";
constexpr const char* kAttributes = "kernel attributes";

std::string Range(uint64_t start, uint64_t end) { return HexNumber(start) + ".." + HexNumber(end); }

bool Inside(const MemoryRegion& r, uint64_t address) {
  return r.length > 0 && address >= r.origin && address - r.origin < r.length;
}

struct StackRange {
  uint64_t start = 0;
  uint64_t end = 0;
};

std::optional<StackRange> StackSymbols(const ElfFile& elf) {
  auto start = elf.Symbol("_sstack"), end = elf.Symbol("_estack");
  if (!start || !end || *end < *start) return std::nullopt;
  return StackRange{*start, *end};
}

uint64_t Overlap(uint64_t a, uint64_t a_size, const StackRange& s) {
  uint64_t lo = std::max(a, s.start), hi = std::min(a + a_size, s.end);
  return hi > lo ? hi - lo : 0;
}

// Places one footprint in `use` (or reports it outside); returns the SectionUse.
class Placer {
 public:
  Placer(MemoryReport& report, const config::MemoryMap& memory)
      : report_(report), memory_(memory) {}

  void Place(const std::string& section, const char* group, uint64_t address, uint64_t size,
             bool in_flash) {
    RegionUse& use = in_flash ? report_.kernel_flash : report_.kernel_ram;
    const MemoryRegion& region = in_flash ? memory_.kernel_flash : memory_.ram;
    SectionUse s{section, group, "", address, size};
    uint64_t end = address + std::min(size, ~uint64_t{0} - address);
    if (Inside(region, address)) {
      s.region = use.name;
      use.used = std::max(use.used, end - region.origin);
      if (end > region.end())
        report_.problems.push_back(use.name + " overflows: " + section + " (" + group +
                                   ") ends at " + HexNumber(end) + ", " +
                                   std::to_string(end - region.end()) + " bytes past the end of " +
                                   use.name + " " + Range(region.origin, region.end()));
    } else {
      report_.problems.push_back(Outside(section, group, address, use.name, region));
    }
    report_.sections.push_back(s);
  }

 private:
  std::string Outside(const std::string& section, const char* group, uint64_t address,
                      const std::string& name, const MemoryRegion& region) const {
    std::string where = Inside(memory_.app_flash, address) ? " (in app flash)" : "";
    return section + " (" + group + ") at " + HexNumber(address) + where + " is outside " + name +
           " " + Range(region.origin, region.end()) +
           "; the ELF was linked for another memory map than the board JSON's";
  }

  MemoryReport& report_;
  const config::MemoryMap& memory_;
};

void PlaceContents(Placer& placer, MemoryReport& r, const ElfSection& s,
                   const config::MemoryMap& memory) {
  if (Inside(memory.ram, s.address)) {
    r.data += s.size;
    placer.Place(s.name, kData, s.address, s.size, false);
    if (s.load_address != s.address) {
      r.data_init += s.size;
      placer.Place(s.name, kDataInit, s.load_address, s.size, true);
    }
    return;
  }
  r.code += s.size;
  placer.Place(s.name, kCode, s.load_address, s.size, true);
}

void PlaceZeroed(Placer& placer, MemoryReport& r, const ElfSection& s,
                 const std::optional<StackRange>& stack) {
  uint64_t in_stack = stack ? Overlap(s.address, s.size, *stack) : 0;
  bool whole_stack = !stack && s.name == ".stack";
  if (whole_stack) in_stack = s.size;
  r.stack += whole_stack ? s.size : 0;
  r.bss += s.size - in_stack;
  placer.Place(s.name, in_stack == s.size ? kStack : kBss, s.address, s.size, false);
}

bool IsAttributesSection(const ElfSection& s) { return s.name == ".attributes" && s.in_file(); }

// Records Tock's attributes block apart from the kernel: it sits at the end of kernel flash.
void PlaceAttributes(MemoryReport& r, const ElfSection& s, const config::MemoryMap& memory) {
  const MemoryRegion& flash = memory.kernel_flash;
  bool inside = Inside(flash, s.load_address);
  r.sections.push_back({s.name, kAttributes, inside ? "kernel flash" : "", s.load_address, s.size});
  if (!inside) {
    r.problems.push_back(s.name + " (" + kAttributes + ") at " + HexNumber(s.load_address) +
                         " is outside kernel flash " + Range(flash.origin, flash.end()) +
                         "; the ELF was linked for another memory map than the board JSON's");
    return;
  }
  r.attributes = AttributesUse{s.load_address, s.size};
  r.kernel_flash.attributes = flash.end() > s.load_address ? flash.end() - s.load_address : 0;
  if (s.load_address + s.size > flash.end())
    r.problems.push_back("kernel flash overflows: the kernel attributes end at " +
                         HexNumber(s.load_address + s.size) + ", past the end of kernel flash " +
                         HexNumber(flash.end()));
  else if (s.load_address + s.size != flash.end())
    r.notes.push_back("the kernel attributes end at " + HexNumber(s.load_address + s.size) +
                      ", not at the end of kernel flash " + HexNumber(flash.end()));
}

void CheckKernelBeforeAttributes(MemoryReport& r) {
  if (!r.attributes) return;
  uint64_t kernel_end = r.kernel_flash.origin + r.kernel_flash.used;
  if (kernel_end > r.attributes->address)
    r.problems.push_back("kernel flash overflows: the kernel ends at " + HexNumber(kernel_end) +
                         ", past the start of the kernel attributes at " +
                         HexNumber(r.attributes->address));
}

bool IsAppSection(const ElfSection& s, const config::MemoryMap& memory) {
  return s.name == ".apps" || Inside(memory.app_flash, s.load_address);
}

void FindStack(const ElfFile& elf, MemoryReport& r, Placer& placer) {
  auto symbols = StackSymbols(elf);
  if (symbols) {
    r.stack = symbols->end - symbols->start;
    r.stack_source = "_sstack.._estack";
    bool in_section = false;
    for (const SectionUse& s : r.sections)
      in_section |= s.region == "kernel RAM" && Overlap(s.address, s.size, *symbols) > 0;
    if (!in_section && r.stack > 0)
      placer.Place("_sstack.._estack", kStack, symbols->start, r.stack, false);
  } else if (r.stack > 0) {
    r.stack_source = ".stack section";
    r.notes.emplace_back("stack size from the .stack section (no _sstack/_estack symbols)");
  } else {
    r.stack_source = "unknown";
    r.notes.emplace_back(
        "stack size unknown: the ELF has neither _sstack/_estack nor a .stack section");
  }
}

void FindAppFlash(const ElfFile& elf, const config::MemoryMap& memory, MemoryReport& r) {
  auto start = elf.Symbol("_sapps"), end = elf.Symbol("_eapps");
  const MemoryRegion& board = memory.app_flash;
  if (start && end && *end >= *start) {
    r.app_flash = {*start, *end, "_sapps.._eapps"};
    if (*start != board.origin || *end != board.end())
      r.notes.push_back("the ELF puts app flash at " + Range(*start, *end) +
                        " but the board JSON's app_flash is " + Range(board.origin, board.end()));
    return;
  }
  r.app_flash = {board.origin, board.end(), "board JSON app_flash"};
  r.notes.emplace_back("app flash from the board JSON (no _sapps/_eapps symbols)");
}

void FindAppRam(const ElfFile& elf, const config::MemoryMap& memory, MemoryReport& r) {
  auto start = elf.Symbol("_sappmem"), end = elf.Symbol("_eappmem");
  uint64_t kernel_end = memory.ram.origin + r.kernel_ram.used;
  if (start && end && *end >= *start) {
    r.app_ram = {*start, *end, "_sappmem.._eappmem"};
    if (*start < kernel_end)
      r.problems.push_back("kernel RAM ends at " + HexNumber(kernel_end) +
                           ", past the start of app RAM (_sappmem " + HexNumber(*start) + ")");
    if (*end > memory.ram.end())
      r.notes.push_back("_eappmem " + HexNumber(*end) +
                        " is past the end of the board JSON's RAM " + HexNumber(memory.ram.end()));
    return;
  }
  r.app_ram = {kernel_end, memory.ram.end(), "RAM after the kernel"};
  r.notes.emplace_back(
      "app RAM is the RAM after the kernel's last byte (no _sappmem/_eappmem symbols)");
}

std::string Pad(std::string s, size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string Percent(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", p);
  return buf;
}

std::string RegionLine(const RegionUse& u) {
  return "  " + Pad(u.name, 13, false) + Pad(Range(u.origin, u.origin + u.length), 24, false) +
         Pad(std::to_string(u.used), 9, true) + " of " + std::to_string(u.length) + " bytes (" +
         Percent(u.Percent()) + "), " + std::to_string(u.Headroom()) + " free";
}

std::string GroupLine(const char* group, uint64_t bytes, const std::string& note = "") {
  return "    " + Pad(group, 20, false) + Pad(std::to_string(bytes), 9, true) +
         (note.empty() ? "" : "  (" + note + ")") + "\n";
}

std::string AppLine(const char* name, const AppSpace& a) {
  return "  " + Pad(name, 13, false) + Pad(Range(a.start, a.end), 24, false) +
         Pad(std::to_string(a.Size()), 9, true) + " bytes  (" + a.source + ")\n";
}

nlohmann::ordered_json RegionJson(const RegionUse& u) {
  return {{"origin", HexNumber(u.origin)},
          {"length", u.length},
          {"used", u.used},
          {"free", u.Headroom()},
          {"percent", u.Percent()}};
}

nlohmann::ordered_json AppJson(const AppSpace& a) {
  return {{"start", HexNumber(a.start)},
          {"end", HexNumber(a.end)},
          {"size", a.Size()},
          {"source", a.source}};
}

}  // namespace

MemoryReport AnalyzeMemory(const ElfFile& elf, const config::MemoryMap& memory) {
  MemoryReport r;
  r.kernel_flash = {"kernel flash", memory.kernel_flash.origin, memory.kernel_flash.length, 0};
  r.kernel_ram = {"kernel RAM", memory.ram.origin, memory.ram.length, 0};
  Placer placer(r, memory);
  auto stack = StackSymbols(elf);
  for (const ElfSection& s : elf.sections) {
    if (!s.allocated() || s.size == 0 || IsAppSection(s, memory)) continue;
    if (IsAttributesSection(s))
      PlaceAttributes(r, s, memory);
    else if (s.has_contents())
      PlaceContents(placer, r, s, memory);
    else
      PlaceZeroed(placer, r, s, stack);
  }
  CheckKernelBeforeAttributes(r);
  FindStack(elf, r, placer);
  FindAppFlash(elf, memory, r);
  FindAppRam(elf, memory, r);
  if (r.kernel_flash.used == 0) r.notes.emplace_back("the ELF has nothing in kernel flash");
  return r;
}

void ThrowIfOverflowing(const MemoryReport& report, const std::string& elf_path) {
  if (report.problems.empty()) return;
  ErrorContext ctx;
  ctx.file = elf_path;
  size_t more = report.problems.size() - 1;
  throw Error(ErrorCategory::kInvalidInput,
              report.problems.front() + (more ? " (and " + std::to_string(more) + " more problem" +
                                                    (more > 1 ? "s" : "") + ")"
                                              : ""),
              ctx, "make the kernel smaller or give it more room in layout.ld and the board JSON");
}

std::string FormatMemoryReport(const MemoryReport& r) {
  std::string out = RegionLine(r.kernel_flash) + "\n";
  out += GroupLine(kCode, r.code) + GroupLine(kDataInit, r.data_init);
  if (r.attributes)
    out += GroupLine(kAttributes, r.attributes->size,
                     Range(r.attributes->address, r.attributes->end()) + ", at the end");
  out += RegionLine(r.kernel_ram) + "\n";
  out += GroupLine(kStack, r.stack, r.stack_source) + GroupLine(kData, r.data) +
         GroupLine(kBss, r.bss);
  out += AppLine("app flash", r.app_flash) + AppLine("app RAM", r.app_ram);
  for (const auto& note : r.notes) out += "  note: " + note + "\n";
  return out;
}

nlohmann::ordered_json MemoryReportToJson(const MemoryReport& r) {
  nlohmann::ordered_json sections = nlohmann::ordered_json::array();
  for (const SectionUse& s : r.sections)
    sections.push_back({{"section", s.section},
                        {"group", s.group},
                        {"region", s.region},
                        {"address", HexNumber(s.address)},
                        {"size", s.size}});
  nlohmann::ordered_json flash = RegionJson(r.kernel_flash);
  flash["code"] = r.code;
  flash["data_initializers"] = r.data_init;
  flash["attributes"] = nullptr;
  if (r.attributes)
    flash["attributes"] = {{"address", HexNumber(r.attributes->address)},
                           {"size", r.attributes->size}};
  nlohmann::ordered_json ram = RegionJson(r.kernel_ram);
  ram["stack"] = r.stack;
  ram["stack_source"] = r.stack_source;
  ram["data"] = r.data;
  ram["bss"] = r.bss;
  return {
      {"kernel_flash", flash},         {"kernel_ram", ram},    {"app_flash", AppJson(r.app_flash)},
      {"app_ram", AppJson(r.app_ram)}, {"sections", sections}, {"notes", r.notes},
      {"problems", r.problems}};
}

}  // namespace tockctl::kernel
