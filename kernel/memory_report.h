// How much of the board's flash and RAM a kernel ELF uses, read from its sections and Tock's
// layout symbols, and what is left for apps (docs/build.md, "Memory report").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/elf_file.h"
#include "config/board.h"

namespace tockctl::kernel {

/// Kernel use of one board region.
struct RegionUse {
  std::string name;  ///< "kernel flash" or "kernel RAM".
  uint64_t origin = 0;
  uint64_t length = 0;
  uint64_t used = 0;        ///< From the region's start to the end of the kernel's last byte in it.
  uint64_t attributes = 0;  ///< Bytes at the region's end held by Tock's kernel attributes.
  /// Share of the region taken by the kernel and its attributes.
  double Percent() const {
    return length ? 100.0 * static_cast<double>(used + attributes) / static_cast<double>(length)
                  : 0;
  }
  /// Bytes between the kernel's end and the attributes (or the region's end).
  uint64_t Headroom() const { return used + attributes < length ? length - used - attributes : 0; }
};

/// Space left for apps: [start, end).
struct AppSpace {
  uint64_t start = 0;
  uint64_t end = 0;
  std::string source;  ///< "_sapps.._eapps", "board JSON app_flash", ...
  uint64_t Size() const { return end > start ? end - start : 0; }
};

/// Where one section's bytes sit and what they count as.
struct SectionUse {
  std::string section;
  std::string group;   ///< "code and constants", "data initializers", "data", "bss", "stack"
  std::string region;  ///< "kernel flash", "kernel RAM" or "" when outside both.
  uint64_t address = 0;
  uint64_t size = 0;
};

/// Tock's kernel attributes block (the `.attributes` section that Tock's linker script places at
/// the very end of kernel flash: common/kernel_attributes.h).
struct AttributesUse {
  uint64_t address = 0;  ///< Load address of the block's first byte.
  uint64_t size = 0;
  uint64_t end() const { return address + size; }
};

/// The whole report.
struct MemoryReport {
  uint64_t code = 0;         ///< Flash: code and constants.
  uint64_t data_init = 0;    ///< Flash: initial values copied to RAM at boot.
  uint64_t data = 0;         ///< RAM: initialised data (Tock's .relocate).
  uint64_t bss = 0;          ///< RAM: zeroed data, without the stack.
  uint64_t stack = 0;        ///< RAM: kernel stack.
  std::string stack_source;  ///< "_sstack.._estack", ".stack section" or "unknown".
  RegionUse kernel_flash;
  RegionUse kernel_ram;
  std::optional<AttributesUse> attributes;  ///< Set when the ELF has an `.attributes` section.
  AppSpace app_flash;
  AppSpace app_ram;
  std::vector<SectionUse> sections;
  std::vector<std::string> notes;     ///< Fallbacks taken and disagreements with the board JSON.
  std::vector<std::string> problems;  ///< Overflows and sections outside the board's regions.
};

/// Reads the report from `elf` against the board's `memory`. Sections are grouped by their flags
/// and addresses; Tock's `.attributes` section is reported on its own and not counted as kernel
/// (it sits at the end of kernel flash, far from the kernel's last byte); Tock's symbols
/// (_sstack/_estack, _sapps/_eapps, _sappmem/_eappmem) are used when present, with the fallbacks
/// listed in `notes`. Never throws; overflows go in `problems`.
MemoryReport AnalyzeMemory(const ElfFile& elf, const config::MemoryMap& memory);

/// Throws Error(kInvalidInput) naming `elf_path`, the first problem and how many more there are,
/// when the report has any.
void ThrowIfOverflowing(const MemoryReport& report, const std::string& elf_path);

/// The report as aligned lines for people.
std::string FormatMemoryReport(const MemoryReport& report);

/// The report as JSON (sizes in bytes as numbers, addresses as "0x..." strings: docs/cli.md).
nlohmann::ordered_json MemoryReportToJson(const MemoryReport& report);

}  // namespace tockctl::kernel
