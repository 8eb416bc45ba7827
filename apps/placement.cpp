#include "apps/placement.h"

#include <algorithm>
#include <cstdio>

#include "common/error.h"
#include "common/hex.h"

namespace tockctl::apps {
namespace {

// A padding app is a 16-byte header, so a gap between apps must hold at least that much.
constexpr uint64_t kMinimumGap = kTbfBaseHeaderSize;

Error Refusal(const std::string& file, const std::string& message, const std::string& hint) {
  ErrorContext ctx;
  ctx.file = file;
  return Error(ErrorCategory::kInvalidInput, message, ctx, hint);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

uint64_t AlignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint64_t PowerOfTwoAtLeast(uint64_t n) {
  uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// One TBF the plan may use for an app.
struct Variant {
  std::string source;
  const TbfHeader* header = nullptr;
  const std::vector<uint8_t>* bytes = nullptr;
  std::optional<uint64_t> fixed_start;  // where the header must go
};

// One app to place, with the TBFs it may be placed as (several for fixed-address variants).
struct AppToPlace {
  std::string name;
  std::string state;
  std::optional<uint64_t> old_address;
  std::vector<Variant> variants;

  bool Fixed() const { return variants.front().fixed_start.has_value(); }
  uint32_t Size() const { return variants.front().header->total_size; }
};

std::optional<uint64_t> FixedStart(const TbfHeader& h) {
  if (!h.fixed_addresses || h.fixed_addresses->flash == kTbfNoFixedAddress) return std::nullopt;
  const TbfMain entry = h.Entry().value_or(TbfMain{});
  const uint64_t before = uint64_t{h.header_size} + entry.protected_trailer_size;
  if (h.fixed_addresses->flash < before) return std::nullopt;
  return h.fixed_addresses->flash - before;
}

Variant MakeVariant(std::string source, const TbfFile& tbf) {
  return {std::move(source), &tbf.header, &tbf.bytes, FixedStart(tbf.header)};
}

void CheckBoards(const AppBundle& b, const std::string& board) {
  if (!b.metadata || b.metadata->only_for_boards.empty()) return;
  const auto& boards = b.metadata->only_for_boards;
  if (std::find(boards.begin(), boards.end(), board) != boards.end()) return;
  throw Refusal(b.path, "is only for boards " + Join(boards) + ", not " + board,
                "install it on one of those boards, or rebuild it without only-for-boards");
}

bool Compatible(const KernelVersion& kernel, uint16_t major, uint16_t minor) {
  return kernel.major == major && kernel.minor >= minor;
}

std::string VersionText(uint16_t major, uint16_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

void CheckKernel(const AppBundle& b, const TabTbf& t, const std::optional<KernelVersion>& kernel) {
  if (!kernel) return;
  const std::string kernel_text = VersionText(kernel->major, kernel->minor);
  if (b.metadata && !b.metadata->KernelVersion().empty()) {
    const KernelVersion want = ParseKernelVersion(b.metadata->KernelVersion(), b.path);
    if (!Compatible(*kernel, want.major, want.minor))
      throw Refusal(
          b.path,
          "needs Tock kernel " + b.metadata->KernelVersion() + ", the board runs " + kernel_text,
          "rebuild the app for Tock " + kernel_text + " or update the kernel");
  }
  const auto& v = t.tbf.header.kernel_version;
  if (v && !Compatible(*kernel, v->major, v->minor))
    throw Refusal(b.path + ": " + t.file,
                  "KernelVersion TLV asks for ^" + VersionText(v->major, v->minor) +
                      ", the board runs " + kernel_text,
                  "rebuild the app for Tock " + kernel_text + " or update the kernel");
}

std::vector<const TabTbf*> TbfsForBoard(const AppBundle& b, const config::HardwareBoard& board) {
  if (!b.is_tab) return {&b.tbfs.front()};  // a bare TBF names no architecture
  const auto archs = ArchitecturesFor(board);
  for (const std::string& arch : archs) {
    std::vector<const TabTbf*> out;
    for (const TabTbf& t : b.tbfs)
      if (t.arch == arch) out.push_back(&t);
    if (!out.empty()) return out;
  }
  std::vector<std::string> offered;
  for (const TabTbf& t : b.tbfs) offered.push_back(t.arch);
  throw Refusal(
      b.path, "has no TBF for " + board.name + " (" + Join(archs) + "); it holds " + Join(offered),
      "build the app for " + archs.front());
}

AppToPlace NewApp(const AppBundle& b, const PlacementRequest& request) {
  CheckBoards(b, request.board.name);
  AppToPlace app;
  app.state = "new";
  for (const TabTbf* t : TbfsForBoard(b, request.board)) {
    CheckKernel(b, *t, request.kernel);
    app.variants.push_back(MakeVariant(b.is_tab ? b.path + ": " + t->file : b.path, t->tbf));
  }
  app.name = app.variants.front().header->Name();
  if (app.name.empty()) app.name = b.Name();
  bool fixed = app.Fixed();
  for (const Variant& v : app.variants)
    if (v.fixed_start.has_value() != fixed)
      throw Refusal(b.path, "mixes fixed-address and position-independent TBFs",
                    "rebuild it with one kind of TBF per architecture");
  return app;
}

// Installed apps in address order, each replaced by a new app of the same name (when asked),
// then the remaining new apps in the order given.
std::vector<AppToPlace> AppsInOrder(const PlacementRequest& request, std::vector<AppToPlace> fresh,
                                    PlacementPlan& plan) {
  std::vector<AppToPlace> out;
  std::vector<bool> used(fresh.size(), false);
  for (const InstalledApp& installed : request.installed) {
    const std::string where = installed.header.Name() + " at " + HexWord(installed.address);
    if (request.erase) {
      plan.removed.push_back(where);
      continue;
    }
    auto same = std::find_if(fresh.begin(), fresh.end(), [&](const AppToPlace& a) {
      return a.name == installed.header.Name();
    });
    if (request.replace && same != fresh.end() && !used[same - fresh.begin()]) {
      used[same - fresh.begin()] = true;
      same->state = "replaces";
      plan.removed.push_back(where);
      out.push_back(*same);
      continue;
    }
    AppToPlace kept;
    kept.name = installed.header.Name();
    kept.state = "kept";
    kept.old_address = installed.address;
    kept.variants.push_back(
        {"on board", &installed.header, &installed.bytes, FixedStart(installed.header)});
    if (kept.variants.front().fixed_start) kept.variants.front().fixed_start = installed.address;
    out.push_back(std::move(kept));
  }
  for (size_t i = 0; i < fresh.size(); ++i)
    if (!used[i]) out.push_back(std::move(fresh[i]));
  return out;
}

struct Rule {
  bool power_of_two = false;
  uint64_t granularity = 4;
  uint64_t min_region = 0;
};

Rule RuleFor(const config::HardwareBoard& board) {
  const config::Protection& p = board.protection;
  Rule r;
  r.power_of_two = p.power_of_two && p.size_aligned;
  r.granularity = std::max<uint64_t>(4, p.min_region_size);
  r.min_region = p.min_region_size;
  return r;
}

std::string RuleText(const Rule& r, const config::HardwareBoard& board) {
  const std::string kind = config::ProtectionKindName(board.protection.kind);
  if (r.power_of_two)
    return kind + ": each app in a power-of-two region aligned to its size (at least " +
           std::to_string(r.min_region) + " bytes)";
  return kind + ": each app starts on a " + std::to_string(r.granularity) + "-byte boundary";
}

uint64_t AlignmentFor(const Rule& rule, uint32_t size) {
  if (!rule.power_of_two) return rule.granularity;
  return std::max<uint64_t>(PowerOfTwoAtLeast(size), rule.min_region);
}

// The first address at or after `reserved` (itself at or after `cursor`, the end of the last
// app's bytes) aligned to `alignment` that leaves either no gap after `cursor` or room for a
// padding app.
uint64_t NextStart(uint64_t cursor, uint64_t reserved, uint64_t alignment) {
  uint64_t start = AlignUp(std::max(cursor, reserved), alignment);
  while (start != cursor && start - cursor < kMinimumGap) start += alignment;
  return start;
}

void AddPadding(PlacementPlan& plan, uint64_t from, uint64_t to) {
  if (to == from) return;
  PlannedApp pad;
  pad.source = "padding";
  pad.state = "padding";
  pad.address = from;
  pad.size = static_cast<uint32_t>(to - from);
  pad.bytes = BuildPaddingTbf(pad.size);
  plan.apps.push_back(std::move(pad));
}

void AddApp(PlacementPlan& plan, const AppToPlace& app, const Variant& v, uint64_t address,
            uint64_t alignment) {
  PlannedApp p;
  p.name = app.name;
  p.source = v.source;
  p.state = app.state;
  if (app.old_address && *app.old_address != address) p.state = "moved";
  p.address = address;
  p.size = v.header->total_size;
  p.alignment = alignment;
  p.flags = v.header->flags;
  p.fixed = v.fixed_start.has_value();
  p.bytes = *v.bytes;
  plan.apps.push_back(std::move(p));
}

void CheckMinimumRegion(const Rule& rule, const AppToPlace& app, const std::string& board) {
  if (!rule.power_of_two || app.Size() >= rule.min_region) return;
  throw Refusal(app.variants.front().source,
                "app \"" + app.name + "\" is " + std::to_string(app.Size()) +
                    " bytes, smaller than the smallest MPU region of " + board + " (" +
                    std::to_string(rule.min_region) + " bytes); the kernel refuses it",
                "rebuild it padded to at least " + std::to_string(rule.min_region) + " bytes");
}

void PlaceRelocatable(PlacementPlan& plan, std::vector<AppToPlace> apps, const Rule& rule,
                      const PlacementRequest& request) {
  for (const AppToPlace& app : apps) CheckMinimumRegion(rule, app, request.board.name);
  if (rule.power_of_two && !request.preserve_order)
    std::stable_sort(apps.begin(), apps.end(), [&](const AppToPlace& a, const AppToPlace& b) {
      return AlignmentFor(rule, a.Size()) > AlignmentFor(rule, b.Size());
    });
  // On a power-of-two MPU an app owns its whole region: the next app starts after it.
  uint64_t cursor = plan.app_flash.origin;
  uint64_t reserved = cursor;
  for (const AppToPlace& app : apps) {
    const uint64_t alignment = AlignmentFor(rule, app.Size());
    const uint64_t start = NextStart(cursor, reserved, alignment);
    AddPadding(plan, cursor, start);
    AddApp(plan, app, app.variants.front(), start, alignment);
    cursor = start + app.Size();
    reserved = rule.power_of_two ? start + alignment : cursor;
  }
  plan.end = cursor;
  plan.region_end = reserved;
}

// Fixed-address apps: a variant per app, in order, each after the previous one, inside app flash
// and with its RAM inside the board's RAM and apart from the others' (backtracking search).
struct FixedSearch {
  const std::vector<AppToPlace>& apps;
  const PlacementRequest& request;
  const Rule& rule;
  std::vector<size_t> chosen;
  std::vector<std::pair<uint64_t, uint64_t>> ram_used;
  size_t deepest = 0;  // the furthest app the search got to

  // [start, start + size) of the app's fixed RAM; size 0 when it has none.
  static std::pair<uint64_t, uint64_t> RamRange(const TbfHeader& h) {
    if (!h.fixed_addresses || h.fixed_addresses->ram == kTbfNoFixedAddress) return {0, 0};
    return {h.fixed_addresses->ram,
            std::max<uint64_t>(1, h.Entry().value_or(TbfMain{}).minimum_ram_size)};
  }

  bool RamFits(const TbfHeader& h) {
    const auto range = RamRange(h);
    const uint64_t start = range.first;
    const uint64_t size = range.second;
    if (size == 0) return true;
    if (!request.board.memory.ram.Contains(start, size)) return false;
    return std::none_of(ram_used.begin(), ram_used.end(), [&](const auto& used) {
      return start < used.first + used.second && used.first < start + size;
    });
  }

  bool Fits(const Variant& v, uint64_t cursor) {
    const uint64_t start = *v.fixed_start;
    const config::MemoryRegion& flash = request.board.memory.app_flash;
    if (start < cursor || start % rule.granularity != 0) return false;
    if (start != cursor && start - cursor < kMinimumGap) return false;
    return flash.Contains(start, v.header->total_size) && RamFits(*v.header);
  }

  bool Search(size_t index, uint64_t cursor) {
    if (index == apps.size()) return true;
    deepest = std::max(deepest, index);
    for (size_t i = 0; i < apps[index].variants.size(); ++i) {
      const Variant& v = apps[index].variants[i];
      if (!Fits(v, cursor)) continue;
      ram_used.push_back(RamRange(*v.header));
      chosen.push_back(i);
      if (Search(index + 1, *v.fixed_start + v.header->total_size)) return true;
      chosen.pop_back();
      ram_used.pop_back();
    }
    return false;
  }
};

void PlaceFixed(PlacementPlan& plan, const std::vector<AppToPlace>& apps, const Rule& rule,
                const PlacementRequest& request) {
  FixedSearch search{apps, request, rule, {}, {}, 0};
  if (!search.Search(0, plan.app_flash.origin)) {
    const AppToPlace& last = apps[search.deepest];
    throw Refusal(last.variants.front().source,
                  "no combination of the fixed-address variants puts \"" + last.name +
                      "\" after the apps before it inside app flash " +
                      HexWord(plan.app_flash.origin) + ".." + HexWord(plan.app_flash.end()) +
                      " and RAM " + HexWord(request.board.memory.ram.origin) + ".." +
                      HexWord(request.board.memory.ram.end()),
                  "build the app for more addresses (libtock-c: TOCK_TARGETS), or install fewer "
                  "apps");
  }
  uint64_t cursor = plan.app_flash.origin;
  for (size_t i = 0; i < apps.size(); ++i) {
    const Variant& v = apps[i].variants[search.chosen[i]];
    AddPadding(plan, cursor, *v.fixed_start);
    AddApp(plan, apps[i], v, *v.fixed_start, rule.granularity);
    cursor = *v.fixed_start + v.header->total_size;
  }
  plan.end = cursor;
  plan.region_end = cursor;
}

void CheckFits(const PlacementPlan& plan, const std::vector<AppToPlace>& apps,
               const config::HardwareBoard& board) {
  if (plan.region_end > plan.app_flash.end())
    throw Refusal(board.name,
                  "the apps need app flash up to " + HexWord(plan.region_end) +
                      ", past its end at " + HexWord(plan.app_flash.end()) + " (" +
                      HexNumber(plan.app_flash.length) + " bytes)",
                  "install fewer or smaller apps, or --erase the apps on the board");
  uint64_t ram = 0;
  for (const AppToPlace& app : apps)
    ram += app.variants.front().header->Entry().value_or(TbfMain{}).minimum_ram_size;
  if (ram > board.memory.ram.length)
    throw Refusal(board.name,
                  "the apps ask for " + std::to_string(ram) + " bytes of RAM, the board has " +
                      std::to_string(board.memory.ram.length),
                  "install fewer apps");
}

const char* AppKind(const AppToPlace& app) {
  return app.Fixed() ? "fixed-address" : "position-independent";
}

void CheckNotMixed(const std::vector<AppToPlace>& apps) {
  for (const AppToPlace& app : apps)
    if (app.Fixed() != apps.front().Fixed())
      throw Refusal(app.variants.front().source,
                    "\"" + app.name + "\" is " + AppKind(app) + " but \"" + apps.front().name +
                        "\" is " + AppKind(apps.front()) + "; the two kinds cannot share app flash",
                    "rebuild the apps as one kind, or --erase the apps on the board");
}

}  // namespace

std::vector<std::string> ArchitecturesFor(const config::HardwareBoard& board) {
  const std::string& core = board.core;
  const std::string& arch = board.arch;
  if (arch == "armv6-m") return {"cortex-m0"};
  if (arch == "armv7-m") return {"cortex-m3", "cortex-m0"};
  if (arch == "armv7e-m" && core.rfind("cortex-m7", 0) == 0)
    return {"cortex-m7", "cortex-m4", "cortex-m3", "cortex-m0"};
  if (arch == "armv7e-m") return {"cortex-m4", "cortex-m3", "cortex-m0"};
  if (arch.rfind("armv8-m", 0) == 0) return {"cortex-m33", "cortex-m3", "cortex-m0"};
  if (arch == "rv32imac") return {"rv32imac", "rv32imc", "rv32i"};
  if (arch == "rv32imc") return {"rv32imc", "rv32i"};
  if (arch == "rv64imac") return {"rv64imac", "rv64imc", "rv64i"};
  return {arch};
}

KernelVersion ParseKernelVersion(const std::string& text, const std::string& what) {
  KernelVersion v;
  unsigned major = 0;
  unsigned minor = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%u.%u%n", &major, &minor, &used) != 2 || major > 0xFFFF ||
      minor > 0xFFFF || (text[used] != '\0' && text[used] != '.'))
    throw Error(ErrorCategory::kUsage,
                what + ": kernel version \"" + text + "\" is not MAJOR.MINOR (e.g. 2.2)");
  v.major = static_cast<uint16_t>(major);
  v.minor = static_cast<uint16_t>(minor);
  return v;
}

std::vector<InstalledApp> ReadInstalledApps(std::span<const uint8_t> app_flash, uint64_t origin,
                                            const std::string& what) {
  std::vector<InstalledApp> out;
  size_t offset = 0;
  while (app_flash.size() - offset >= kTbfBaseHeaderSize) {
    const TbfHeader base = ParseTbfBaseHeader(app_flash.subspan(offset), what);
    if (base.version != 2 || base.header_size < kTbfBaseHeaderSize ||
        base.total_size < base.header_size || base.total_size > app_flash.size() - offset)
      break;
    TbfFile tbf = ParseTbf(app_flash.subspan(offset), what + " at " + HexWord(origin + offset));
    if (!tbf.header.IsPadding())
      out.push_back(
          {origin + offset, std::move(tbf.header), std::move(tbf.bytes), std::move(tbf.findings)});
    offset += base.total_size;
  }
  return out;
}

PlacementPlan PlanPlacement(const PlacementRequest& request) {
  const config::HardwareBoard& board = request.board;
  PlacementPlan plan;
  plan.board = board.name;
  plan.protection = config::ProtectionKindName(board.protection.kind);
  plan.app_flash = board.memory.app_flash;
  const Rule rule = RuleFor(board);
  plan.rule = RuleText(rule, board);
  std::vector<AppToPlace> fresh;
  for (const AppBundle& b : request.bundles) fresh.push_back(NewApp(b, request));
  std::vector<AppToPlace> apps = AppsInOrder(request, std::move(fresh), plan);
  if (!request.kernel)
    plan.notes.emplace_back(
        "kernel version not checked: give --kernel-version (tockctl info "
        "shows the board's)");
  if (!apps.empty()) {
    CheckNotMixed(apps);
    if (apps.front().Fixed())
      PlaceFixed(plan, apps, rule, request);
    else
      PlaceRelocatable(plan, apps, rule, request);
  } else {
    plan.end = plan.app_flash.origin;
    plan.region_end = plan.end;
  }
  CheckFits(plan, apps, board);
  plan.clear_size = std::min<uint64_t>(board.page_size, plan.app_flash.end() - plan.end);
  return plan;
}

std::vector<uint8_t> PlanImage(const PlacementPlan& plan) {
  std::vector<uint8_t> image(plan.end + plan.clear_size - plan.app_flash.origin, 0xFF);
  for (const PlannedApp& app : plan.apps)
    std::copy(app.bytes.begin(), app.bytes.end(),
              image.begin() + static_cast<std::ptrdiff_t>(app.address - plan.app_flash.origin));
  return image;
}

std::string RenderPlacementPlan(const PlacementPlan& plan) {
  std::string out = "plan for " + plan.board + ", app flash " + HexWord(plan.app_flash.origin) +
                    ".." + HexWord(plan.app_flash.end()) + "\n  rule: " + plan.rule + "\n";
  for (const PlannedApp& app : plan.apps) {
    out += "  " + HexWord(app.address) + "  " + HexNumber(app.size) + " bytes  ";
    if (app.state == "padding") {
      out += "padding\n";
      continue;
    }
    std::string flags = (app.flags & kTbfFlagEnabled) != 0 ? "enabled" : "disabled";
    if ((app.flags & kTbfFlagSticky) != 0) flags += ", sticky";
    out += "\"" + app.name + "\" " + app.state + " (" + flags + (app.fixed ? ", fixed" : "") +
           ") from " + app.source + "\n";
  }
  for (const std::string& r : plan.removed) out += "  removed: " + r + "\n";
  if (plan.clear_size != 0)
    out += "  clear " + HexWord(plan.end) + "  " + HexNumber(plan.clear_size) +
           " bytes (the kernel's app list ends here)\n";
  else
    out += "  app flash is full up to its end\n";
  for (const std::string& n : plan.notes) out += "  note: " + n + "\n";
  return out;
}

nlohmann::json PlacementPlanToJson(const PlacementPlan& plan) {
  nlohmann::json apps = nlohmann::json::array();
  for (const PlannedApp& app : plan.apps)
    apps.push_back({{"name", app.name},
                    {"source", app.source},
                    {"state", app.state},
                    {"address", HexNumber(app.address)},
                    {"size", app.size},
                    {"alignment", app.alignment},
                    {"flags", app.flags},
                    {"fixed", app.fixed}});
  return {{"board", plan.board},
          {"protection", plan.protection},
          {"rule", plan.rule},
          {"app_flash",
           {{"origin", HexNumber(plan.app_flash.origin)}, {"length", plan.app_flash.length}}},
          {"apps", apps},
          {"end", HexNumber(plan.end)},
          {"clear_size", plan.clear_size},
          {"removed", plan.removed},
          {"notes", plan.notes}};
}

}  // namespace tockctl::apps
