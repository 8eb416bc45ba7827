// TBFs and TABs for the apps tests, written by the project's own writer (apps/tbf.h, apps/tab.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/tab.h"
#include "apps/tbf.h"

namespace tockctl::apps::testing {

/// An enabled app named `name` with a Program TLV, KernelVersion 2.1 and `binary_size` bytes of
/// program, padded to `total_size` when that is larger.
inline std::vector<uint8_t> MakeApp(const std::string& name, uint32_t binary_size,
                                    uint32_t total_size = 0,
                                    std::optional<TbfFixedAddresses> fixed = std::nullopt) {
  TbfBuild b;
  b.header.flags = kTbfFlagEnabled;
  b.header.program = TbfProgram{{0x41, 0, 0x1000}, 0, 1};
  b.header.package_name = name;
  b.header.kernel_version = TbfKernelVersion{2, 1};
  b.header.fixed_addresses = fixed;
  b.binary.assign(binary_size, 0x5A);
  b.minimum_total_size = total_size;
  return BuildTbf(b);
}

/// A fixed-address TBF whose header starts 0x80 bytes before `flash` (the protected region fills
/// the rest), as libtock-c builds them for RISC-V.
inline std::vector<uint8_t> MakeFixedApp(const std::string& name, uint32_t flash, uint32_t ram,
                                         uint32_t total) {
  TbfBuild b;
  b.header = ParseTbf(MakeApp(name, 64, total, TbfFixedAddresses{ram, flash}), name).header;
  b.header.program->main.protected_trailer_size = 0x80 - b.header.header_size;
  b.binary.assign(64, 0x5A);
  b.minimum_total_size = total;
  return BuildTbf(b);
}

/// A TAB named `name` with one TBF per (file name, bytes).
inline std::vector<uint8_t> MakeTab(
    const std::string& name, const std::vector<std::pair<std::string, std::vector<uint8_t>>>& tbfs,
    const std::vector<std::string>& only_for_boards = {}) {
  TabMetadata m;
  m.tab_version = 1;
  m.name = name;
  m.only_for_boards = only_for_boards;
  m.build_date = "2026-12-07T09:00:00Z";
  m.minimum_tock_kernel_version = "2.1";
  return BuildTab(m, tbfs);
}

}  // namespace tockctl::apps::testing
