#include "tests/flasher/test_elf_builder.h"

namespace tockctl::flasher::testing {
namespace {

class Writer {
 public:
  Writer(bool big, bool is64) : big_(big), is64_(is64) {}
  void U8(uint8_t v) { out.push_back(v); }
  void N(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      int shift = big_ ? 8 * (bytes - 1 - i) : 8 * i;
      out.push_back(static_cast<uint8_t>(v >> shift));
    }
  }
  void U16(uint64_t v) { N(v, 2); }
  void U32(uint64_t v) { N(v, 4); }
  void Word(uint64_t v) { N(v, is64_ ? 8 : 4); }
  void Bytes(const std::vector<uint8_t>& b) { out.insert(out.end(), b.begin(), b.end()); }
  std::vector<uint8_t> out;

 private:
  bool big_;
  bool is64_;
};

}  // namespace

ElfLayout LayoutOf(const ElfSpec& spec) {
  return ElfLayout{spec.is64 ? 64u : 52u, spec.is64 ? 56u : 32u};
}

std::vector<uint8_t> BuildElf(const ElfSpec& spec) {
  const uint64_t ehsize = spec.is64 ? 64 : 52;
  const uint64_t phentsize = spec.is64 ? 56 : 32;
  const uint64_t shentsize = spec.is64 ? 64 : 40;
  const uint64_t phoff = ehsize;
  uint64_t data_off = phoff + phentsize * spec.segments.size();
  std::vector<uint64_t> offsets;
  uint64_t cursor = data_off;
  for (const auto& s : spec.segments) {
    offsets.push_back(cursor);
    cursor += s.data.size();
  }
  // .shstrtab: "\0.shstrtab\0" + section names
  std::vector<uint8_t> strtab = {0};
  auto add_name = [&](const std::string& n) {
    uint64_t at = strtab.size();
    strtab.insert(strtab.end(), n.begin(), n.end());
    strtab.push_back(0);
    return at;
  };
  uint64_t shstrtab_name = add_name(".shstrtab");
  std::vector<uint64_t> names;
  for (const auto& s : spec.segments) names.push_back(s.section.empty() ? 0 : add_name(s.section));
  uint64_t strtab_off = cursor;
  uint64_t shoff = strtab_off + strtab.size();
  size_t shnum = 2;
  for (const auto& s : spec.segments) shnum += s.section.empty() ? 0 : 1;

  Writer w(spec.big_endian, spec.is64);
  w.Bytes({0x7f, 'E', 'L', 'F', static_cast<uint8_t>(spec.is64 ? 2 : 1),
           static_cast<uint8_t>(spec.big_endian ? 2 : 1), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  w.U16(spec.type);
  w.U16(0xf3);  // EM_RISCV
  w.U32(1);
  w.Word(spec.entry);
  w.Word(phoff);
  w.Word(shoff);
  w.U32(0);
  w.U16(ehsize);
  w.U16(phentsize);
  w.U16(spec.segments.size());
  w.U16(shentsize);
  w.U16(shnum);
  w.U16(1);  // .shstrtab is section 1
  for (size_t i = 0; i < spec.segments.size(); ++i) {
    const auto& s = spec.segments[i];
    uint64_t memsz = s.memsz ? s.memsz : s.data.size();
    w.U32(s.type);
    if (spec.is64) w.U32(5);
    w.Word(offsets[i]);
    w.Word(s.vaddr ? s.vaddr : s.paddr);
    w.Word(s.paddr);
    w.Word(s.data.size());
    w.Word(memsz);
    if (!spec.is64) w.U32(5);
    w.Word(4);
  }
  for (const auto& s : spec.segments) w.Bytes(s.data);
  w.Bytes(strtab);
  auto section = [&](uint64_t name, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
                     uint64_t size) {
    w.U32(name);
    w.U32(type);
    w.Word(flags);
    w.Word(addr);
    w.Word(off);
    w.Word(size);
    w.U32(0);
    w.U32(0);
    w.Word(1);
    w.Word(0);
  };
  section(0, 0, 0, 0, 0, 0);
  section(shstrtab_name, 3, 0, 0, strtab_off, strtab.size());
  for (size_t i = 0; i < spec.segments.size(); ++i) {
    const auto& s = spec.segments[i];
    if (s.section.empty()) continue;
    section(names[i], 1, 2 /*SHF_ALLOC*/, s.vaddr ? s.vaddr : s.paddr, offsets[i], s.data.size());
  }
  return w.out;
}

}  // namespace tockctl::flasher::testing
