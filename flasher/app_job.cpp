#include "flasher/app_job.h"

#include <algorithm>
#include <cmath>

#include "apps/app_report.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/kernel_attributes.h"
#include "common/text_table.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_runner.h"
#include "flasher/progress.h"

namespace tockctl::flasher {
namespace {

uint64_t RoundUp(uint64_t value, uint64_t step) { return (value + step - 1) / step * step; }

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + Quoted(n);
  return out;
}

bool ChangesApps(AppAction action) { return action != AppAction::kList; }

bool ChangesFlags(AppAction action) {
  return action == AppAction::kEnable || action == AppAction::kDisable ||
         action == AppAction::kSticky || action == AppAction::kUnsticky;
}

// What the action leaves of the board's apps: the ones to keep, with their new flags.
struct KeptApps {
  std::vector<apps::InstalledApp> apps;
  std::vector<std::string> removed;  ///< "blink at 0x80100000", for the plan.
};

const apps::InstalledApp* FindInstalled(const std::vector<apps::InstalledApp>& installed,
                                        const std::string& name) {
  auto it = std::find_if(installed.begin(), installed.end(),
                         [&](const apps::InstalledApp& a) { return a.header.Name() == name; });
  return it == installed.end() ? nullptr : &*it;
}

void CheckNamesInstalled(const std::vector<std::string>& names,
                         const std::vector<apps::InstalledApp>& installed, const std::string& board,
                         const char* command) {
  for (const std::string& name : names) {
    if (FindInstalled(installed, name) != nullptr) continue;
    std::string on_board;
    for (const apps::InstalledApp& a : installed)
      on_board += (on_board.empty() ? "" : ", ") + Quoted(a.header.Name());
    throw Error(ErrorCategory::kUsage,
                "app " + Quoted(name) + " is not installed on " + board + ", nothing was " +
                    (std::string(command) == "update" ? "updated" : "changed"),
                ErrorContext{},
                on_board.empty() ? "the board holds no apps (tockctl app list)"
                                 : "the board holds " + on_board + " (tockctl app list)");
  }
}

std::string Where(const apps::InstalledApp& app) {
  return app.header.Name() + " at " + HexWord(app.address);
}

void RefuseSticky(const apps::InstalledApp& app, const char* command) {
  throw Error(ErrorCategory::kUsage,
              "app " + Quoted(app.header.Name()) + " is sticky, so " + command +
                  " keeps it; nothing was changed",
              ErrorContext{}, "add --force to remove sticky apps too, or unsticky it first");
}

KeptApps RemoveApps(const AppRequest& request, const std::vector<apps::InstalledApp>& installed) {
  KeptApps out;
  const bool all = request.action == AppAction::kEraseAll;
  for (const apps::InstalledApp& app : installed) {
    const bool named = std::find(request.names.begin(), request.names.end(), app.header.Name()) !=
                       request.names.end();
    if (!all && !named) {
      out.apps.push_back(app);
      continue;
    }
    if (app.header.sticky() && !request.device.force) {
      if (named) RefuseSticky(app, AppActionName(request.action));
      out.apps.push_back(app);  // erase-apps keeps sticky apps without --force
      continue;
    }
    out.removed.push_back(Where(app));
  }
  return out;
}

uint32_t NewFlags(AppAction action, uint32_t flags) {
  switch (action) {
    case AppAction::kEnable:
      return flags | apps::kTbfFlagEnabled;
    case AppAction::kDisable:
      return flags & ~apps::kTbfFlagEnabled;
    case AppAction::kSticky:
      return flags | apps::kTbfFlagSticky;
    case AppAction::kUnsticky:
      return flags & ~apps::kTbfFlagSticky;
    default:
      return flags;
  }
}

std::vector<apps::InstalledApp> WithNewFlags(const AppRequest& request,
                                             std::vector<apps::InstalledApp> installed) {
  for (apps::InstalledApp& app : installed) {
    if (std::find(request.names.begin(), request.names.end(), app.header.Name()) ==
        request.names.end())
      continue;
    app.bytes = apps::WithTbfFlags(app.bytes, NewFlags(request.action, app.header.flags));
    app.header = apps::ParseTbf(app.bytes, Where(app)).header;
  }
  return installed;
}

void CheckUpdates(const std::vector<apps::AppBundle>& bundles,
                  const std::vector<apps::InstalledApp>& installed, const std::string& board) {
  std::vector<std::string> names;
  names.reserve(bundles.size());
  for (const apps::AppBundle& b : bundles) names.push_back(b.Name());
  CheckNamesInstalled(names, installed, board, "update");
}

apps::PlacementRequest PlacementFor(const AppRequest& request, const config::HardwareBoard& board,
                                    const std::vector<apps::InstalledApp>& installed,
                                    KeptApps& kept) {
  apps::PlacementRequest p;
  p.board = board;
  p.preserve_order = request.preserve_order;
  if (request.action == AppAction::kInstall || request.action == AppAction::kUpdate) {
    for (const std::string& file : request.files) p.bundles.push_back(apps::LoadAppBundle(file));
    if (request.action == AppAction::kUpdate) CheckUpdates(p.bundles, installed, board.name);
    p.installed = installed;
    p.replace = request.action == AppAction::kUpdate || request.replace;
    p.erase = request.erase;
    return p;
  }
  if (ChangesFlags(request.action)) {
    CheckNamesInstalled(request.names, installed, board.name, AppActionName(request.action));
    p.installed = WithNewFlags(request, installed);
    return p;
  }
  if (request.action == AppAction::kUninstall)
    CheckNamesInstalled(request.names, installed, board.name, "uninstall");
  kept = RemoveApps(request, installed);
  p.installed = kept.apps;
  return p;
}

// The kernel version the apps are checked against: --kernel-version, else the one the kernel's
// attributes at the end of kernel flash name (absent on kernels before Tock 2.1 and on images
// that carry none).
void ChooseKernelVersion(const AppRequest& request, const config::HardwareBoard& board,
                         FlashBackend* backend, AppReport& report) {
  if (request.kernel) {
    report.kernel = request.kernel;
    return;
  }
  if (backend == nullptr || !backend->capabilities().read) return;
  const config::MemoryRegion& flash = board.memory.kernel_flash;
  const uint64_t n = std::min<uint64_t>(kKernelAttributesReadSize, flash.length);
  try {
    const KernelAttributes a = ParseKernelAttributes(backend->Read(flash.end() - n, n), flash.end(),
                                                     "board " + board.name);
    if (!a.kernel_version) return;
    report.kernel = apps::KernelVersion{a.kernel_version->major, a.kernel_version->minor};
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::kTransport || e.category() == ErrorCategory::kInterrupted)
      throw;
  }
}

// Reads app flash from `known.size()` up to `end` (relative to origin) and appends it.
void ReadMore(FlashBackend& backend, uint64_t origin, std::vector<uint8_t>& known, uint64_t end) {
  if (known.size() >= end) return;
  const std::vector<uint8_t> more = backend.Read(origin + known.size(), end - known.size());
  known.insert(known.end(), more.begin(), more.end());
}

// After reading only: a GDB server halted the target on attach, so it runs on; the bootloader is
// left for the kernel and a probe tool's halted chip is reset (as tockloader does after list).
void LetGo(FlashBackend& backend) {
  const Capabilities caps = backend.capabilities();
  if (caps.start)
    backend.Start(std::nullopt);
  else if (caps.reset)
    backend.Restart();
  else
    backend.Disconnect();
}

void CheckCanRead(const AppRequest& request, const std::string& method) {
  const bool no_read_needed = request.action == AppAction::kEraseAll ||
                              (request.action == AppAction::kInstall && request.erase);
  if (no_read_needed) return;
  throw Error(ErrorCategory::kUsage,
              "the " + method + " method cannot read the board's flash, so tockctl cannot see " +
                  "which apps it holds; nothing was changed",
              ErrorContext{},
              request.action == AppAction::kInstall
                  ? "add --erase to replace every app on the board with the ones given, or pass "
                    "--method with one that can read (gdb, qemu, tock-bootloader, openocd, jlink, "
                    "probe-rs)"
                  : "pass --method with one that can read (gdb, qemu, tock-bootloader, openocd, "
                    "jlink, probe-rs)");
}

void Plan(const AppRequest& request, const config::HardwareBoard& board, AppReport& report) {
  KeptApps kept;
  apps::PlacementRequest placement = PlacementFor(request, board, report.before, kept);
  placement.kernel = report.kernel;
  report.plan = apps::PlanPlacement(placement);
  for (const std::string& r : kept.removed) report.plan->removed.push_back(r);
}

// The writes: the changed pages, planned and checked like any flash (app flash only).
void PlanWrites(const AppRequest& request, const config::HardwareBoard& board,
                const FlashBackend& backend, AppReport& report) {
  if (report.pages.segments.empty()) return;
  report.image = Image{};
  report.image->segments = report.pages.segments;
  report.image->source = "app flash";
  report.image->format = "bin";
  PlanOptions options;
  options.force = request.device.force;
  options.steps.connect = false;
  options.steps.verify = request.device.verify;
  options.steps.start = request.device.start;
  options.steps.restart = true;
  report.flash = PlanFlash({{&*report.image, FlashTarget::kApp}}, board, report.method,
                           backend.capabilities(), options);
  report.flash->sources = {"app flash"};
}

// The unit an app change rewrites: the board's flash page (its erase unit), or the smaller block a
// back-end rewrites on its own keeping the bytes around it (the serial bootloader's 512 bytes).
uint32_t PageUnit(const config::HardwareBoard& board, const Capabilities& caps) {
  if (caps.write_unit != 0 && caps.write_unit < board.page_size) return caps.write_unit;
  return board.page_size;
}

// What the device holds in the page at `at` (relative to origin) past the bytes already read with
// the app list, as far as the diff needs it: a page the change covers whole is only checked
// (FlashBackend::Holds: one CRC on the serial bootloader, cheaper than reading it) and stands for
// the new bytes when it holds them, for something else when not; a page the change covers in
// part is read, so that its other bytes are kept.
void FillPage(FlashBackend& backend, uint64_t origin, std::span<const uint8_t> after, uint64_t at,
              uint32_t unit, std::vector<uint8_t>& device) {
  if (at + unit <= after.size()) {
    const std::vector<uint8_t> want(after.begin() + static_cast<std::ptrdiff_t>(at),
                                    after.begin() + static_cast<std::ptrdiff_t>(at + unit));
    const bool same = backend.Holds(Segment{origin + at, want, "app flash"});
    for (size_t i = 0; i < unit; ++i)
      device[at + i] = same ? want[i] : static_cast<uint8_t>(~want[i]);
    return;
  }
  const std::vector<uint8_t> page = backend.Read(origin + at, unit);
  std::copy(page.begin(), page.end(), device.begin() + static_cast<std::ptrdiff_t>(at));
}

// The pages that change, compared with the board's bytes (see FillPage) when the back-end can
// read; every page otherwise, the rest of the last page set to 0xFF (it lies past the end of the
// new app list).
PageDiff ChangedPages(FlashBackend& backend, const config::HardwareBoard& board,
                      std::vector<uint8_t> known, bool can_read, const AppReport& report) {
  const config::MemoryRegion& flash = board.memory.app_flash;
  const std::vector<uint8_t> after = apps::PlanImage(*report.plan);
  const uint32_t unit = PageUnit(board, backend.capabilities());
  const uint64_t end = RoundUp(after.size(), unit);
  std::vector<uint8_t> device(std::max<uint64_t>(known.size(), end), 0xFF);
  if (can_read) {
    std::copy(known.begin(), known.end(), device.begin());
    for (uint64_t at = known.size() / unit * unit; at < end; at += unit)
      if (at + unit > known.size()) FillPage(backend, flash.origin, after, at, unit, device);
  } else {
    for (size_t i = 0; i < after.size(); ++i) device[i] = static_cast<uint8_t>(~after[i]);
  }
  return DiffPages(device, after, flash.origin, unit);
}

void RunOnBoard(const AppRequest& request, const config::HardwareBoard& board,
                FlashEnvironment& env, AppReport& report) {
  FlashRequest attach = request.device;
  attach.attach = true;  // the apps go into the kernel that runs (QEMU started earlier)
  BackendOptions options = BackendOptionsFor(attach, board, env);
  report.method = options.method;
  std::unique_ptr<FlashBackend> backend = CreateBackend(options);
  const bool can_read = backend->capabilities().read;
  if (!can_read) CheckCanRead(request, options.method);
  backend->Connect(*env.progress);
  BoardApps on_board;
  if (can_read) {
    on_board = ReadBoardApps(*backend, board.memory.app_flash);
    report.before = on_board.apps;
  }
  if (!ChangesApps(request.action)) return LetGo(*backend);
  ChooseKernelVersion(request, board, backend.get(), report);
  Plan(request, board, report);
  for (const std::string& n : report.plan->notes) env.progress->Message("note: " + n);
  report.pages = ChangedPages(*backend, board, std::move(on_board.bytes), can_read, report);
  PlanWrites(request, board, *backend, report);
  if (!report.flash) return LetGo(*backend);
  for (const auto& n : report.flash->notes) env.progress->Message("note: " + n);
  report.outcome =
      ExecutePlan(*report.flash, *backend, *env.progress, env.clock, env.stop, env.before_start);
  report.restart_report = report.outcome->start_report;
}

void RunDry(const AppRequest& request, const config::HardwareBoard& board, FlashEnvironment& env,
            std::span<const uint8_t> on_board, AppReport& report) {
  const BackendOptions options = BackendOptionsFor(request.device, board, env);
  report.method = options.method;
  const uint32_t unit = PageUnit(board, CreateBackend(options)->capabilities());
  if (!on_board.empty()) {
    report.before = apps::ReadInstalledApps(on_board, board.memory.app_flash.origin, "--on-board");
  }
  if (!ChangesApps(request.action)) return;
  ChooseKernelVersion(request, board, nullptr, report);
  Plan(request, board, report);
  std::vector<uint8_t> device(on_board.begin(), on_board.end());
  const uint64_t after_size =
      report.plan->end + report.plan->clear_size - board.memory.app_flash.origin;
  device.resize(std::max<uint64_t>(device.size(), RoundUp(after_size, unit)), 0xFF);
  report.pages =
      DiffPages(device, apps::PlanImage(*report.plan), board.memory.app_flash.origin, unit);
}

std::string FlagsText(const apps::TbfHeader& h) { return apps::DescribeTbfFlags(h); }

std::string ActionPastTense(AppAction action) {
  switch (action) {
    case AppAction::kInstall:
      return "Installed";
    case AppAction::kUpdate:
      return "Updated";
    case AppAction::kUninstall:
      return "Uninstalled";
    case AppAction::kEnable:
      return "Enabled";
    case AppAction::kDisable:
      return "Disabled";
    case AppAction::kSticky:
      return "Made sticky";
    case AppAction::kUnsticky:
      return "Made unsticky";
    case AppAction::kEraseAll:
      return "Erased the apps";
    case AppAction::kList:
      break;
  }
  return "Listed";
}

std::string Subject(const AppRequest& request, const AppReport& report) {
  if (request.action == AppAction::kEraseAll)
    return report.plan->removed.empty()
               ? ""
               : " (" + std::to_string(report.plan->removed.size()) + " removed)";
  if (request.action == AppAction::kInstall || request.action == AppAction::kUpdate) {
    std::vector<std::string> names;
    for (const apps::PlannedApp& a : report.plan->apps)
      if (a.state == "new" || a.state == "replaces") names.push_back(a.name);
    return " " + JoinQuoted(names);
  }
  return " " + JoinQuoted(request.names);
}

std::string PagesText(const AppReport& report) {
  const uint64_t page = report.pages.page_size;
  std::string out = "wrote " + std::to_string(report.pages.pages_written) + " page" +
                    (report.pages.pages_written == 1 ? "" : "s");
  if (page != 0) out += " (" + FormatBytes(report.pages.pages_written * page) + ")";
  return out + ", " + std::to_string(report.pages.pages_unchanged) + " unchanged";
}

std::string RestartText(const AppRequest& request, const FlashOutcome& outcome) {
  if (outcome.started) return ", " + outcome.start_report;
  if (!request.device.start)
    return "; not restarted (--no-start): the kernel loads the new app list at its next reset";
  return "; the board was left running, not reset: reset it so that its kernel loads the new "
         "app list";
}

}  // namespace

const char* AppActionName(AppAction action) {
  switch (action) {
    case AppAction::kList:
      return "list";
    case AppAction::kInstall:
      return "install";
    case AppAction::kUpdate:
      return "update";
    case AppAction::kUninstall:
      return "uninstall";
    case AppAction::kEnable:
      return "enable";
    case AppAction::kDisable:
      return "disable";
    case AppAction::kSticky:
      return "sticky";
    case AppAction::kUnsticky:
      return "unsticky";
    case AppAction::kEraseAll:
      return "erase-apps";
  }
  return "?";
}

PageDiff DiffPages(std::span<const uint8_t> device, std::span<const uint8_t> after, uint64_t origin,
                   uint32_t page_size) {
  if (page_size == 0 || origin % page_size != 0 || device.size() < RoundUp(after.size(), page_size))
    throw Error(ErrorCategory::kInternal, "app flash diff: pages do not line up");
  PageDiff diff;
  diff.page_size = page_size;
  for (size_t at = 0; at < after.size(); at += page_size) {
    const std::span<const uint8_t> want =
        after.subspan(at, std::min<size_t>(page_size, after.size() - at));
    const std::span<const uint8_t> have = device.subspan(at, page_size);
    if (std::equal(want.begin(), want.end(), have.begin())) {
      ++diff.pages_unchanged;
      continue;
    }
    ++diff.pages_written;
    std::vector<uint8_t> page(have.begin(), have.end());
    std::copy(want.begin(), want.end(), page.begin());
    if (!diff.segments.empty() && diff.segments.back().end() == origin + at) {
      Segment& run = diff.segments.back();
      run.data.insert(run.data.end(), page.begin(), page.end());
      continue;
    }
    diff.segments.push_back(Segment{origin + at, std::move(page), {}});
  }
  for (Segment& s : diff.segments)
    s.name = "app flash " + HexWord(s.address) + ".." + HexWord(s.end());
  return diff;
}

BoardApps ReadBoardApps(FlashBackend& backend, const config::MemoryRegion& app_flash) {
  BoardApps out;
  while (app_flash.length - out.bytes.size() >= apps::kTbfBaseHeaderSize) {
    const uint64_t at = app_flash.origin + out.bytes.size();
    const std::vector<uint8_t> base = backend.Read(at, apps::kTbfBaseHeaderSize);
    const apps::TbfHeader h = apps::ParseTbfBaseHeader(base, "app flash at " + HexWord(at));
    if (h.version != 2 || h.header_size < apps::kTbfBaseHeaderSize ||
        h.total_size < h.header_size || h.total_size > app_flash.length - out.bytes.size())
      break;
    out.bytes.insert(out.bytes.end(), base.begin(), base.end());
    ReadMore(backend, app_flash.origin, out.bytes, out.bytes.size() - base.size() + h.total_size);
  }
  out.apps = apps::ReadInstalledApps(out.bytes, app_flash.origin, "app flash");
  return out;
}

AppReport RunAppJob(const AppRequest& request, const config::HardwareBoard& board,
                    FlashEnvironment& env, std::span<const uint8_t> on_board) {
  AppReport report;
  report.board = board.name;
  if (request.device.dry_run)
    RunDry(request, board, env, on_board, report);
  else
    RunOnBoard(request, board, env, report);
  return report;
}

std::string RenderAppList(const std::vector<apps::InstalledApp>& installed, bool verbose) {
  if (installed.empty()) return "no apps\n";
  std::vector<std::vector<std::string>> rows = {{"ADDRESS", "SIZE", "NAME", "VERSION", "FLAGS"}};
  for (const apps::InstalledApp& a : installed)
    rows.push_back({HexWord(a.address), std::to_string(a.header.total_size),
                    a.header.Name().empty() ? "(no name)" : a.header.Name(),
                    a.header.program ? std::to_string(a.header.program->version) : "-",
                    FlagsText(a.header)});
  std::string out = RenderTextTable(rows);
  for (const apps::InstalledApp& a : installed)
    for (const std::string& f : a.findings)
      out += "finding: " + Quoted(a.header.Name()) + " at " + HexWord(a.address) + ": " + f + "\n";
  if (!verbose) return out;
  for (const apps::InstalledApp& a : installed) {
    out += "\n" + Quoted(a.header.Name()) + " at " + HexWord(a.address) + ":\n";
    for (const std::string& line : apps::DescribeTbfTlvs(a.header)) out += "  " + line + "\n";
  }
  return out;
}

nlohmann::json AppListToJson(const AppReport& report) {
  nlohmann::json list = nlohmann::json::array();
  for (const apps::InstalledApp& a : report.before)
    list.push_back({{"name", a.header.Name()},
                    {"address", HexNumber(a.address)},
                    {"size", a.header.total_size},
                    {"enabled", a.header.enabled()},
                    {"sticky", a.header.sticky()},
                    {"findings", a.findings},
                    {"header", apps::TbfHeaderToJson(a.header)}});
  return {{"board", report.board}, {"method", report.method}, {"apps", list}};
}

std::string RenderAppSummary(const AppRequest& request, const AppReport& report) {
  std::string out = ActionPastTense(request.action) + Subject(request, report) + " on " +
                    report.board + " via " + report.method;
  if (!report.outcome) return out + ": nothing to change, every page already holds it";
  const FlashOutcome& o = *report.outcome;
  out += ": " + PagesText(report) + ", in " + FormatDuration(o.seconds);
  const double busy = o.erase.seconds + o.write.seconds + o.verify.seconds;
  if (busy > 0)
    out += " (" + FormatRate(static_cast<double>(report.flash->write_bytes) / busy) + ")";
  if (o.verified) out += ", verified";
  return out + RestartText(request, o);
}

nlohmann::ordered_json AppSummaryToJson(const AppRequest& request, const AppReport& report) {
  nlohmann::ordered_json j;
  if (report.outcome) {
    j = SummaryToJson(*report.flash, *report.outcome);
  } else {
    j = {{"event", "summary"}, {"board", report.board}, {"method", report.method}, {"bytes", 0}};
  }
  j["action"] = AppActionName(request.action);
  j["pages_written"] = report.pages.pages_written;
  j["pages_unchanged"] = report.pages.pages_unchanged;
  j["removed"] = report.plan ? report.plan->removed : std::vector<std::string>{};
  j["restart"] = report.restart_report.empty() ? nlohmann::ordered_json(nullptr)
                                               : nlohmann::ordered_json(report.restart_report);
  return j;
}

}  // namespace tockctl::flasher
