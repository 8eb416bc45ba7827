#include "tests/support/elf_builder.h"

namespace tockctl::testing {
namespace {

constexpr uint32_t kShtProgbits = 1;
constexpr uint32_t kShtSymtab = 2;
constexpr uint32_t kShtStrtab = 3;
constexpr uint32_t kShtNobits = 8;

class Writer {
 public:
  Writer(bool big, bool is64) : big_(big), is64_(is64) {}
  void N(uint64_t v, int bytes) {  // at most 8 bytes; Zeros for more
    for (int i = 0; i < bytes; ++i) {
      int shift = big_ ? 8 * (bytes - 1 - i) : 8 * i;
      out.push_back(static_cast<uint8_t>(v >> shift));
    }
  }
  void U8(uint64_t v) { N(v, 1); }
  void U16(uint64_t v) { N(v, 2); }
  void U32(uint64_t v) { N(v, 4); }
  void Word(uint64_t v) { N(v, is64_ ? 8 : 4); }
  void Bytes(const std::vector<uint8_t>& b) { out.insert(out.end(), b.begin(), b.end()); }
  void Zeros(size_t n) { out.insert(out.end(), n, 0); }
  std::vector<uint8_t> out;

 private:
  bool big_;
  bool is64_;
};

// A string table under construction.
struct StringTable {
  std::vector<uint8_t> bytes = {0};
  uint64_t Add(const std::string& s) {
    uint64_t at = bytes.size();
    bytes.insert(bytes.end(), s.begin(), s.end());
    bytes.push_back(0);
    return at;
  }
};

struct SectionRow {
  uint64_t name = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint64_t entsize = 0;
};

SectionRow Row(uint64_t name, uint32_t type, uint64_t flags, uint64_t address, uint64_t offset,
               uint64_t size) {
  SectionRow row;
  row.name = name;
  row.type = type;
  row.flags = flags;
  row.address = address;
  row.offset = offset;
  row.size = size;
  return row;
}

// Where everything goes in the file.
struct Plan {
  uint64_t ehsize = 0, phentsize = 0, shentsize = 0;
  std::vector<uint64_t> data_offsets;
  std::vector<uint64_t> own_data_offsets;  // of spec.sections with bytes of their own
  StringTable section_names;
  StringTable symbol_names;
  std::vector<uint8_t> symtab;
  std::vector<SectionRow> sections;
  uint64_t shoff = 0;
};

uint64_t VirtualAddress(const ElfSegmentSpec& s) { return s.vaddr ? s.vaddr : s.paddr; }
uint64_t MemorySize(const ElfSegmentSpec& s) { return s.memsz ? s.memsz : s.data.size(); }

void AddSegmentSections(const ElfSpec& spec, Plan& plan) {
  for (size_t i = 0; i < spec.segments.size(); ++i) {
    const ElfSegmentSpec& s = spec.segments[i];
    uint64_t address = VirtualAddress(s);
    if (!s.section.empty())
      plan.sections.push_back(Row(plan.section_names.Add(s.section), kShtProgbits, s.section_flags,
                                  address, plan.data_offsets[i], s.data.size()));
    if (!s.bss_section.empty())
      plan.sections.push_back(Row(plan.section_names.Add(s.bss_section), kShtNobits, 3,
                                  address + s.data.size(), plan.data_offsets[i] + s.data.size(),
                                  MemorySize(s) - s.data.size()));
  }
}

void AddOwnSections(const ElfSpec& spec, Plan& plan) {
  for (size_t i = 0; i < spec.sections.size(); ++i) {
    const ElfSectionSpec& s = spec.sections[i];
    uint64_t name = plan.section_names.Add(s.name);
    if (s.segment < 0) {
      plan.sections.push_back(
          Row(name, s.type, s.flags, 0, plan.own_data_offsets[i], s.data.size()));
      continue;
    }
    const auto segment = static_cast<size_t>(s.segment);
    plan.sections.push_back(Row(name, s.type, s.flags,
                                VirtualAddress(spec.segments[segment]) + s.offset,
                                plan.data_offsets[segment] + s.offset, s.size));
  }
}

std::vector<uint8_t> SymbolEntries(const ElfSpec& spec, StringTable& names) {
  Writer w(spec.big_endian, spec.is64);
  w.Zeros(spec.is64 ? 24 : 16);  // the reserved null symbol
  for (const ElfSymbolSpec& s : spec.symbols) {
    uint64_t name = names.Add(s.name);
    uint16_t section = s.defined ? 2 : 0;
    w.U32(name);
    if (spec.is64) {
      w.U8(0x10);  // STB_GLOBAL, STT_NOTYPE
      w.U8(0);
      w.U16(section);
      w.Word(s.value);
      w.Word(0);
    } else {
      w.Word(s.value);
      w.Word(0);
      w.U8(0x10);
      w.U8(0);
      w.U16(section);
    }
  }
  return w.out;
}

void AddSymbolSections(const ElfSpec& spec, Plan& plan) {
  if (spec.symbols.empty()) return;
  plan.symtab = SymbolEntries(spec, plan.symbol_names);
  SectionRow symtab =
      Row(plan.section_names.Add(".symtab"), kShtSymtab, 0, 0, 0, plan.symtab.size());
  symtab.link = static_cast<uint32_t>(plan.sections.size() + 1);  // .strtab, next
  symtab.entsize = spec.is64 ? 24 : 16;
  plan.sections.push_back(symtab);
  plan.sections.push_back(
      Row(plan.section_names.Add(".strtab"), kShtStrtab, 0, 0, 0, plan.symbol_names.bytes.size()));
}

// Places .shstrtab, .strtab and .symtab from `cursor` on, then the section headers.
void PlaceTables(const ElfSpec& spec, Plan& plan, uint64_t cursor) {
  plan.sections[1].offset = cursor;
  plan.sections[1].size = plan.section_names.bytes.size();
  cursor += plan.section_names.bytes.size();
  if (!spec.symbols.empty()) {
    plan.sections[plan.sections.size() - 1].offset = cursor;
    cursor += plan.symbol_names.bytes.size();
    plan.sections[plan.sections.size() - 2].offset = cursor;
    cursor += plan.symtab.size();
  }
  plan.shoff = cursor;
}

Plan PlanFile(const ElfSpec& spec) {
  Plan plan;
  plan.ehsize = spec.is64 ? 64 : 52;
  plan.phentsize = spec.is64 ? 56 : 32;
  plan.shentsize = spec.is64 ? 64 : 40;
  uint64_t cursor = plan.ehsize + plan.phentsize * spec.segments.size();
  for (const auto& s : spec.segments) {
    plan.data_offsets.push_back(cursor);
    cursor += s.data.size();
  }
  for (const auto& s : spec.sections) {
    plan.own_data_offsets.push_back(cursor);
    cursor += s.data.size();
  }
  uint64_t shstrtab_name = plan.section_names.Add(".shstrtab");
  plan.sections.push_back(SectionRow{});
  plan.sections.push_back(Row(shstrtab_name, kShtStrtab, 0, 0, 0, 0));
  AddSegmentSections(spec, plan);
  AddOwnSections(spec, plan);
  AddSymbolSections(spec, plan);
  PlaceTables(spec, plan, cursor);
  return plan;
}

void WriteHeader(const ElfSpec& spec, const Plan& plan, Writer& w) {
  w.Bytes({0x7f, 'E', 'L', 'F', static_cast<uint8_t>(spec.is64 ? 2 : 1),
           static_cast<uint8_t>(spec.big_endian ? 2 : 1), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  w.U16(spec.type);
  w.U16(spec.machine);
  w.U32(1);
  w.Word(spec.entry);
  w.Word(plan.ehsize);  // e_phoff: right after the header
  w.Word(plan.shoff);
  w.U32(0);
  w.U16(plan.ehsize);
  w.U16(plan.phentsize);
  w.U16(spec.segments.size());
  w.U16(plan.shentsize);
  w.U16(plan.sections.size());
  w.U16(1);  // .shstrtab is section 1
}

void WriteProgramHeaders(const ElfSpec& spec, const Plan& plan, Writer& w) {
  for (size_t i = 0; i < spec.segments.size(); ++i) {
    const auto& s = spec.segments[i];
    w.U32(s.type);
    if (spec.is64) w.U32(s.flags);
    w.Word(plan.data_offsets[i]);
    w.Word(VirtualAddress(s));
    w.Word(s.paddr);
    w.Word(s.data.size());
    w.Word(MemorySize(s));
    if (!spec.is64) w.U32(s.flags);
    w.Word(4);
  }
}

void WriteSectionHeaders(const Plan& plan, Writer& w) {
  for (const SectionRow& s : plan.sections) {
    w.U32(s.name);
    w.U32(s.type);
    w.Word(s.flags);
    w.Word(s.address);
    w.Word(s.offset);
    w.Word(s.size);
    w.U32(s.link);
    w.U32(0);
    w.Word(1);
    w.Word(s.entsize);
  }
}

}  // namespace

std::vector<uint8_t> CountingBytes(size_t n, uint8_t first) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

ElfSpec LibtockcElfSpec(uint64_t flash, uint64_t ram) {
  // got_sym_start, got_start, got_size, data_sym_start, data_start, data_size, bss_start,
  // bss_size, reldata_start (the end of the flash image: 0x38 + 8), stack_size.
  const uint32_t crt0[] = {0x38, 0x800, 0, 0x38, 0x800, 8, 0x808, 0x20, 0x40, 0x800};
  Writer flash_bytes(false, false);
  for (uint32_t word : crt0) flash_bytes.U32(word);
  flash_bytes.Bytes(CountingBytes(16, 0xA0));
  ElfSpec spec;
  spec.entry = flash + 40;
  ElfSegmentSpec text{1, flash, 0, flash_bytes.out, 0, "", 2, "", 5};
  ElfSegmentSpec data{
      1, flash + 0x38, ram + 0x800, CountingBytes(8, 0xD0), 0x28, ".data", 3, ".bss", 6};
  ElfSegmentSpec stack{1, ram, 0, {}, 0x800, "", 2, ".stack", 6};
  spec.segments = {text, data, stack};
  spec.sections.push_back({".crt0_header", kShtProgbits, 2, 0, 0, 40, {}});
  spec.sections.push_back({".text", kShtProgbits, 6, 0, 40, 16, {}});
  spec.sections.push_back({".rel.data", 9, 0, -1, 0, 0, {0x04, 0x08, 0x30, 0x80, 0x03, 0, 0, 0}});
  spec.symbols.push_back({"_sram_origin", ram});
  return spec;
}

std::vector<uint8_t> BuildElf(const ElfSpec& spec) {
  Plan plan = PlanFile(spec);
  Writer w(spec.big_endian, spec.is64);
  WriteHeader(spec, plan, w);
  WriteProgramHeaders(spec, plan, w);
  for (const auto& s : spec.segments) w.Bytes(s.data);
  for (const auto& s : spec.sections) w.Bytes(s.data);
  w.Bytes(plan.section_names.bytes);
  if (!spec.symbols.empty()) {
    w.Bytes(plan.symbol_names.bytes);
    w.Bytes(plan.symtab);
  }
  WriteSectionHeaders(plan, w);
  return w.out;
}

}  // namespace tockctl::testing
