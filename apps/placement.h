// Where apps go in a board's app flash, computed as a plan before anything is written: the TBF
// each TAB offers for the board's architecture, the alignment its protection unit needs
// (power-of-two regions on ARMv6-M/ARMv7-M MPUs, region granularity on ARMv8-M, PMP, ePMP and
// paging), fixed-address variants chosen to fit flash and RAM, padding apps in the gaps and the
// header after the last app cleared. Never a byte outside app flash. (docs/apps.md)
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apps/tab.h"
#include "apps/tbf.h"
#include "config/board.h"

namespace tockctl::apps {

/// An app found in a board's app flash.
struct InstalledApp {
  uint64_t address = 0;
  TbfHeader header;
  std::vector<uint8_t> bytes;         ///< The whole TBF as it is on the board.
  std::vector<std::string> findings;  ///< What the kernel would act on (a wrong checksum, ...).
};

/// The apps in `app_flash` (the bytes of app flash starting at `origin`), walked as the kernel
/// walks them: header after header until one is not a TBF v2 header or runs past the end.
/// Padding apps are skipped. `what` names the data in errors.
std::vector<InstalledApp> ReadInstalledApps(std::span<const uint8_t> app_flash, uint64_t origin,
                                            const std::string& what);

/// The TAB architecture names whose code runs on `board`, best first ("cortex-m4",
/// "cortex-m3", "cortex-m0" for a Cortex-M4).
std::vector<std::string> ArchitecturesFor(const config::HardwareBoard& board);

/// A kernel version "major.minor".
struct KernelVersion {
  uint16_t major = 0;
  uint16_t minor = 0;
};

/// Parses "2.1" (or "2.1.0"). Throws Error(kUsage) naming `what` otherwise.
KernelVersion ParseKernelVersion(const std::string& text, const std::string& what);

/// What to place.
struct PlacementRequest {
  config::HardwareBoard board;
  std::vector<AppBundle> bundles;       ///< The TABs/TBFs to install, in the order given.
  std::vector<InstalledApp> installed;  ///< What the board holds now (empty if unknown).
  std::optional<KernelVersion> kernel;  ///< The board's kernel version, when known.
  bool replace = true;                  ///< A new app replaces an installed app of the same name.
  bool erase = false;                   ///< Drop every installed app first.
  bool preserve_order = false;  ///< On power-of-two MPUs, keep the order instead of largest first.
};

/// One TBF in the plan: an app or a padding app.
struct PlannedApp {
  std::string name;    ///< Package name ("" for padding).
  std::string source;  ///< "blink.tab: cortex-m4.tbf", "on board", "padding".
  std::string state;   ///< new, replaces, kept, moved, padding.
  uint64_t address = 0;
  uint32_t size = 0;       ///< total_size.
  uint64_t alignment = 0;  ///< The alignment the rule asked for.
  uint32_t flags = 0;
  bool fixed = false;  ///< Placed at its FixedAddresses.
  std::vector<uint8_t> bytes;
};

/// A placement plan: apps in address order, and the bytes cleared after the last one.
struct PlacementPlan {
  std::string board;
  std::string protection;  ///< ProtectionKindName.
  std::string rule;        ///< One line: the alignment rule applied.
  config::MemoryRegion app_flash;
  std::vector<PlannedApp> apps;
  uint64_t end = 0;         ///< First byte after the last app.
  uint64_t region_end = 0;  ///< End of the last app's protection region (>= end).
  uint64_t clear_size = 0;  ///< Bytes set to 0xFF from `end` (0: app flash is full).
  std::vector<std::string> notes;
  std::vector<std::string> removed;  ///< Installed apps the plan drops (replaced or erased).
};

/// Computes the plan. Throws Error(kInvalidInput) with one line naming the file and what to do
/// when a TAB has no TBF for the board, is only for other boards, needs another kernel version,
/// no fixed-address variant fits, fixed and position-independent apps are mixed, an app is
/// smaller than the MPU's smallest region, or the apps do not fit in app flash or RAM.
PlacementPlan PlanPlacement(const PlacementRequest& request);

/// The bytes the plan writes: app flash from its origin to end + clear_size.
std::vector<uint8_t> PlanImage(const PlacementPlan& plan);

/// The plan as text, one app per line.
std::string RenderPlacementPlan(const PlacementPlan& plan);
/// The plan as JSON (addresses as "0x..." strings).
nlohmann::json PlacementPlanToJson(const PlacementPlan& plan);

}  // namespace tockctl::apps
