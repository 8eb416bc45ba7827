// `tockctl app pack`: a TBF from an ELF, in one of two layouts.
// - elf2tab's (chosen for an ELF with a `.crt0_header` section, i.e. a libtock-c app, or with
//   --layout elf2tab): the TBF elf2tab makes from it, for what the kernel and libtock-c's crt0
//   read: Main and Program TLVs, FixedAddresses from `_flash_origin`/the lowest executable
//   segment and `_sram_origin`, a protected region that ends where the fixed flash address says
//   (the TBF starting on the 256-byte boundary below it), the flash segments by load address
//   followed by the relocation data crt0 reads (`.rel.X` of each writable section), and
//   elf2tab's footer and padding. Signatures and elf2tab's other TLV options are not made.
// - simple (any other ELF): a hand-written position-independent program whose loadable
//   segments are its flash image, with no relocation data, crt0 header or fixed addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apps/tbf.h"

namespace tockctl::apps {

/// Which rules lay the ELF out in the TBF.
enum class PackLayout {
  kAuto,     ///< kElf2tab for an ELF with a `.crt0_header` section, else kSimple.
  kSimple,   ///< A simple position-independent program.
  kElf2tab,  ///< elf2tab's layout (libtock-c apps).
};

/// What `app pack` writes into the header.
struct PackOptions {
  std::string name;  ///< PackageName.
  /// Bytes of stack the app needs; unset: the ELF's `.stack` section size in elf2tab's layout,
  /// else 2048.
  std::optional<uint32_t> stack;
  uint32_t heap = 1024;              ///< Bytes of app heap.
  uint32_t kernel_heap = 1024;       ///< Bytes of grant memory the kernel keeps for it.
  TbfKernelVersion kernel{2, 0};     ///< KernelVersion TLV: the app runs on ^major.minor.
  uint32_t minimum_total_size = 0;   ///< Simple layout: pad with a Reserved footer up to this.
  uint32_t minimum_footer_size = 0;  ///< elf2tab layout: at least this many footer bytes.
  /// elf2tab layout: the header plus its protected trailer (a `tbf_protected_region_size`
  /// symbol in the ELF takes precedence); unset: up to the fixed flash address, else the header.
  std::optional<uint32_t> protected_region_size;
  PackLayout layout = PackLayout::kAuto;
  bool enabled = true;
  bool sticky = false;
};

/// The layout kAuto picks for `elf` (kElf2tab when it has a `.crt0_header` section).
PackLayout ChoosePackLayout(std::span<const uint8_t> elf, const std::string& what,
                            PackLayout requested);

/// A TBF with a Program, PackageName and KernelVersion TLV (elf2tab layout: also Main, and
/// FixedAddresses and WriteableFlashRegions when the ELF has them).
/// Simple layout: the program is the ELF's loadable segments laid out by load address from the
/// lowest (gaps zero-filled); the entry offset is the ELF entry's distance from there;
/// minimum_ram_size is stack + heap + kernel heap + the RAM the segments take (the whole memory
/// size of a segment loaded at one address and run at another, as .data is; the part past the
/// file size, as .bss is).
/// elf2tab layout: as elf2tab lays out a libtock-c ELF (see the file comment); minimum_ram_size
/// is the memory size of the writable segments loaded in flash and run in RAM, plus the stack
/// (rounded up to 8), heap and kernel heap (to 4).
/// Throws Error(kInvalidInput) naming `what` when the ELF has nothing to load, the entry lies
/// outside the program, the segments are more than 1 MiB apart or out of load-address order,
/// the protected region is smaller than the header (a fixed flash address too close above a
/// 256-byte boundary), the crt0 header's relocation offset is not where the layout puts the
/// relocation data, or an option of the other layout is given.
std::vector<uint8_t> PackElf(std::span<const uint8_t> elf, const std::string& what,
                             const PackOptions& options);

}  // namespace tockctl::apps
