// `tockctl app pack`: a TBF from a simple ELF program (an assembled or linked position-independent
// program whose loadable segments are its flash image). Not elf2tab: no relocations, no crt0
// header, no fixed addresses; libtock-c and libtock-rs apps are packed by elf2tab.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "apps/tbf.h"

namespace tockctl::apps {

/// What `app pack` writes into the header.
struct PackOptions {
  std::string name;                 ///< PackageName.
  uint32_t stack = 2048;            ///< Bytes of stack the app needs.
  uint32_t heap = 1024;             ///< Bytes of app heap.
  uint32_t kernel_heap = 1024;      ///< Bytes of grant memory the kernel keeps for it.
  TbfKernelVersion kernel{2, 0};    ///< KernelVersion TLV: the app runs on ^major.minor.
  uint32_t minimum_total_size = 0;  ///< Pad with a Reserved credentials footer up to this.
  bool enabled = true;
  bool sticky = false;
};

/// A TBF with a Program, PackageName and KernelVersion TLV. The program is the ELF's loadable
/// segments laid out by load address from the lowest (gaps zero-filled); the entry offset is the
/// ELF entry's distance from there; minimum_ram_size is stack + heap + kernel heap + the RAM the
/// segments take (the whole memory size of a segment loaded at one address and run at another,
/// as .data is; the part past the file size, as .bss is). Throws Error(kInvalidInput) naming
/// `what` when the ELF has nothing to load, the entry lies outside the program, or the segments
/// are more than 1 MiB apart.
std::vector<uint8_t> PackElf(std::span<const uint8_t> elf, const std::string& what,
                             const PackOptions& options);

}  // namespace tockctl::apps
