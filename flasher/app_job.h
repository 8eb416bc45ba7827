// The app commands on a board (`tockctl app list/install/update/uninstall/enable/disable/sticky/
// unsticky/erase-apps`, docs/apps.md): read the apps the board holds through any back-end that can
// read its flash, plan the change with apps/placement, and write only the pages that differ, with
// the flash runner's progress, verify and summary, then restart the board so that its kernel
// reads its app list again.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apps/placement.h"
#include "config/board.h"
#include "flasher/flash_job.h"

namespace tockctl::flasher {

/// What an app command does.
enum class AppAction {
  kList,
  kInstall,    ///< Add apps; an installed app of the same name is replaced unless !replace.
  kUpdate,     ///< Replace installed apps; every app given must be installed already.
  kUninstall,  ///< Remove apps by name; sticky ones only with device.force.
  kEnable,
  kDisable,
  kSticky,
  kUnsticky,
  kEraseAll,  ///< Remove every app; sticky ones only with device.force.
};

/// "install", "erase-apps", ...: the command's name.
const char* AppActionName(AppAction action);

/// What the user asked for.
struct AppRequest {
  AppAction action = AppAction::kList;
  /// The device (method, --serial/--usb/--tcp, --qemu-name), --force, --dry-run, --no-verify
  /// (verify = false) and --no-start (start = false). `image` is unused.
  FlashRequest device;
  std::vector<std::string> files;  ///< TABs/TBFs (install, update).
  std::vector<std::string> names;  ///< Package names (uninstall, enable, disable, sticky, ...).
  std::optional<apps::KernelVersion> kernel;  ///< --kernel-version; else read from the board.
  bool replace = true;                        ///< install: replace an app of the same name.
  bool erase = false;                         ///< install: drop every app first (--erase).
  bool preserve_order = false;
};

/// The pages an app change writes: runs of changed pages as segments, whole pages each.
struct PageDiff {
  uint32_t page_size = 0;  ///< The unit compared and written.
  std::vector<Segment> segments;
  uint64_t pages_written = 0;
  uint64_t pages_unchanged = 0;
};

/// Compares `after` (the new bytes from `origin`) with `device` (the board's bytes from `origin`,
/// at least `after` rounded up to whole pages; bytes past `after` in the last page are kept) page
/// by page; `page_size` must divide `origin`.
PageDiff DiffPages(std::span<const uint8_t> device, std::span<const uint8_t> after, uint64_t origin,
                   uint32_t page_size);

/// What the board holds in app flash, read through a connected back-end as the kernel walks it:
/// header after header, until one is not a TBF v2 header.
struct BoardApps {
  std::vector<apps::InstalledApp> apps;  ///< Padding apps left out.
  std::vector<uint8_t> bytes;            ///< App flash from its origin to the end of the list.
};

/// Reads the app list from `backend` (connected; able to read). Throws Error(kInvalidInput) naming
/// the address when a TBF in the list is malformed.
BoardApps ReadBoardApps(FlashBackend& backend, const config::MemoryRegion& app_flash);

/// What happened.
struct AppReport {
  std::string board;
  std::string method;
  std::vector<apps::InstalledApp> before;     ///< What the board held (empty if not read).
  std::optional<apps::PlacementPlan> plan;    ///< Every action but list.
  std::optional<apps::KernelVersion> kernel;  ///< The version checked against the apps.
  PageDiff pages;                             ///< What changes on the board.
  std::optional<FlashPlan> flash;             ///< The writes, when anything changed.
  std::optional<FlashOutcome> outcome;        ///< Unless dry run, list, or nothing to write.
  std::string restart_report;                 ///< What the restart did ("reset QEMU ...").
  std::optional<Image> image;                 ///< Owns the segments `flash` points into.
};

/// Runs `request` on `board`. A dry run never touches the board: it plans against
/// `on_board` (the board's app flash from its origin, as `--on-board FILE` gives it) or an empty
/// app flash. Otherwise connects, reads the apps (a back-end that cannot read refuses every action
/// but install --erase and erase-apps), plans, writes the changed pages, verifies, and restarts
/// the board unless device.start is false. Throws Error(kUsage) for a name that is not installed,
/// a sticky app without --force, or an update of an app the board lacks; the placement's refusals;
/// and what the back-end throws.
AppReport RunAppJob(const AppRequest& request, const config::HardwareBoard& board,
                    FlashEnvironment& env, std::span<const uint8_t> on_board = {});

/// The installed apps, one per line: address, size, name, version, flags; with `verbose` each
/// one's TLVs as `app inspect` shows them.
std::string RenderAppList(const std::vector<apps::InstalledApp>& apps, bool verbose);

/// {"board", "method", "apps": [{"name", "address", "size", "flags", "enabled", "sticky",
/// "header": ...}]}.
nlohmann::json AppListToJson(const AppReport& report);

/// "Installed blink (1 app) on qemu_rv32_virt via qemu: wrote 2 pages (8.0 KiB), 3 unchanged, in
/// 0.12 s (66.0 KiB/s), verified, EXIT sent"; "nothing to change" when no page
/// differs.
std::string RenderAppSummary(const AppRequest& request, const AppReport& report);

/// The summary as JSON: the flash summary's fields plus action, pages_written, pages_unchanged,
/// removed, restart.
nlohmann::ordered_json AppSummaryToJson(const AppRequest& request, const AppReport& report);

}  // namespace tockctl::flasher
