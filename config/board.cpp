#include "config/board.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <string_view>
#include <tuple>

#include "common/error.h"
#include "common/one_line.h"
#include "config/board_reader.h"
#include "config/flash_methods.h"
#include "config/object_reader.h"
#include "devices/tcp_connector.h"
#include "devices/usb_selector.h"

namespace tockctl::config {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<const char*, 6> kProtectionNames = {"armv6m-mpu", "armv7m-mpu", "armv8m-mpu",
                                                         "riscv-pmp",  "riscv-epmp", "x86-paging"};
const std::vector<std::string> kArchs = {"armv6-m", "armv7e-m", "armv8-m.main", "rv32imac",
                                         "rv32imc", "rv64imac", "i486"};
const std::vector<std::string> kConsoleKinds = {"uart", "usb-cdc", "rtt"};
const std::vector<std::string> kTraceLinks = {"uart", "usb", "rtt", "tcp"};
const std::vector<std::string> kNetworkKinds = {"ethernet", "ieee802154", "wifi", "can", "ble"};
constexpr uint64_t kMaxBaud = 100'000'000;

std::vector<std::string> ProtectionNames() {
  return std::vector<std::string>(kProtectionNames.begin(), kProtectionNames.end());
}

// ---- method-specific keys of "flash/methods" entries (config/flash_methods.h) ----

using KeyType = MethodKeyType;

// The grammars of the command line (devices/): a board's ids and endpoints read as --usb and --tcp
// do.
bool IsVidPid(const std::string& s) {
  try {
    return !devices::ParseUsbSelector(s).serial;
  } catch (const Error&) {
    return false;
  }
}

bool IsHostPort(const std::string& s) {
  try {
    devices::ParseTcpEndpoint(s);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void ReadStringOrList(BoardObjectReader& r, const std::string& key) {
  const Json* v = r.Find(key, false);
  if (!v || v->is_string()) return;
  bool ok = v->is_array() && !v->empty();
  for (const auto& item : *v) ok = ok && item.is_string();
  if (!ok)
    BoardObjectReader::Fail(r.doc(), r.PointerOf(key), "expected a string or a list of strings",
                            "a string or a non-empty list of strings");
}

void ReadMethodKey(BoardObjectReader& r, const MethodKey& k) {
  if (!k.required && !r.Find(k.key, false)) return;
  switch (k.type) {
    case KeyType::kString:
      if (k.values.empty())
        r.String(k.key);
      else
        r.Enum(k.key, k.values);
      return;
    case KeyType::kUnsigned:
      r.Unsigned(k.key);
      return;
    case KeyType::kBool:
      r.Bool(k.key);
      return;
    case KeyType::kStringOrList:
      ReadStringOrList(r, k.key);
      return;
    case KeyType::kVidPid:
      if (!IsVidPid(r.String(k.key)))
        BoardObjectReader::Fail(r.doc(), r.PointerOf(k.key),
                                "expected \"VID:PID\" in hex, like \"0483:df11\"", "VID:PID");
      return;
    case KeyType::kHostPort:
      if (!IsHostPort(r.String(k.key)))
        BoardObjectReader::Fail(r.doc(), r.PointerOf(k.key),
                                "expected \"HOST:PORT\", like \"127.0.0.1:1234\"", "HOST:PORT");
      return;
  }
}

FlashMethod ReadFlashMethod(BoardObjectReader r) {
  FlashMethod m;
  m.method = r.Enum("method", KnownFlashMethods());
  const FlashMethodSpec* spec = FindFlashMethodSpec(m.method);
  for (const auto& key : spec->keys) ReadMethodKey(r, key);
  r.OptionalString("note");  // any method may carry a remark
  if (m.method == "openocd" && !r.Find("config", false) && !r.Find("tock_config", false))
    BoardObjectReader::Fail(r.doc(), r.pointer(), "openocd needs \"config\" or \"tock_config\"",
                            "add \"config\" or \"tock_config\"");
  r.WarnUnknownKeys();
  m.settings = r.value();
  return m;
}

// ---- the other parts of "board" ----

Protection ReadProtection(BoardObjectReader r) {
  Protection p;
  p.kind = *ProtectionKindFromName(r.Enum("kind", ProtectionNames()));
  p.regions = static_cast<uint32_t>(r.Integer("regions", 1, 4096));
  p.app_regions = static_cast<uint32_t>(r.Integer("app_regions", 1, 4096));
  p.process_reserved = static_cast<uint32_t>(r.Integer("process_reserved", 0, 4096));
  p.min_region_size = r.Integer("min_region_size", 1, uint64_t{1} << 32);
  p.power_of_two = r.Bool("power_of_two");
  p.size_aligned = r.Bool("size_aligned");
  p.subregions = static_cast<uint32_t>(r.Integer("subregions", 0, 8));
  p.source = r.OptionalString("source").value_or("");
  r.WarnUnknownKeys();
  return p;
}

MemoryRegion ReadRegion(BoardObjectReader r, std::string name) {
  MemoryRegion region;
  region.name = std::move(name);
  region.origin = r.Unsigned("origin");
  region.length = r.Unsigned("length");
  r.WarnUnknownKeys();
  return region;
}

MemoryMap ReadMemory(BoardObjectReader r) {
  MemoryMap m;
  m.kernel_flash = ReadRegion(r.Object("kernel_flash"), "kernel_flash");
  m.app_flash = ReadRegion(r.Object("app_flash"), "app_flash");
  m.ram = ReadRegion(r.Object("ram"), "ram");
  if (r.Find("reserved", false)) {
    const Json& list = r.Array("reserved");
    for (size_t i = 0; i < list.size(); ++i) {
      BoardObjectReader item(r.doc(), list[i], r.PointerOf("reserved") + "/" + std::to_string(i),
                             r.warnings());
      std::string name = item.String("name");
      m.reserved.push_back(ReadRegion(item, name));
    }
  }
  r.WarnUnknownKeys();
  return m;
}

void ReadFlash(BoardObjectReader r, HardwareBoard& b) {
  b.default_flash_method = r.Enum("default", KnownFlashMethods());
  const Json& list = r.Array("methods");
  if (list.empty())
    BoardObjectReader::Fail(r.doc(), r.PointerOf("methods"), "must list at least one flash method",
                            JoinWords(KnownFlashMethods()));
  for (size_t i = 0; i < list.size(); ++i)
    b.flash_methods.push_back(ReadFlashMethod(BoardObjectReader(
        r.doc(), list[i], r.PointerOf("methods") + "/" + std::to_string(i), r.warnings())));
  r.WarnUnknownKeys();
}

Json ReadConsole(BoardObjectReader r) {
  r.Enum("kind", kConsoleKinds);
  r.String("device");
  r.OptionalUnsigned("baud", kMaxBaud);
  r.WarnUnknownKeys();
  return r.value();
}

// A list of line edits --integrate makes to a board file: "lines" after the line "after", or
// in place of the line "replace" (or the run of lines, when it is a list).
void ReadBoardFileEdits(BoardObjectReader& r, const std::string& key) {
  if (r.Find(key, false) == nullptr) return;
  const Json& list = r.Array(key);
  for (size_t i = 0; i < list.size(); ++i) {
    BoardObjectReader e(r.doc(), list[i], r.PointerOf(key) + "/" + std::to_string(i), r.warnings());
    e.String("file");
    bool after = e.OptionalString("after").has_value();
    bool replace = e.Find("replace", false) != nullptr;
    if (replace && e.Find("replace", false)->is_array()) {
      const Json& run = e.Array("replace");
      bool lines = !run.empty() && std::all_of(run.begin(), run.end(), [](const Json& l) {
        return l.is_string() && !l.get<std::string>().empty();
      });
      if (!lines)
        BoardObjectReader::Fail(r.doc(), e.PointerOf("replace"),
                                "a list to replace needs one or more non-empty lines",
                                "[LINE, ...]");
    } else if (replace) {
      e.String("replace");
    }
    if (after == replace)
      BoardObjectReader::Fail(r.doc(), e.PointerOf("after"),
                              "an edit needs exactly one of \"after\" and \"replace\"",
                              "\"after\": LINE or \"replace\": LINE or [LINE, ...]");
    e.Array("lines");
    e.WarnUnknownKeys();
  }
}

// A tracer shim (radio: TraceRadio, ethernet: TraceEthernet) and the edits that wire it in
// (docs/board-config.md, "trace.rust").
void ReadTraceShim(BoardObjectReader r) {
  for (const char* key : {"hardware", "type", "device", "shim"}) r.String(key);
  r.OptionalBool("optional");
  ReadBoardFileEdits(r, "edits");
  r.WarnUnknownKeys();
}

// How main.rs reaches the tracer's clock and mux (docs/board-config.md, "trace.rust").
void ReadTraceRust(BoardObjectReader r) {
  for (const char* key : {"chip", "clock", "platform", "fault_policy", "uart_mux", "clock_ref"})
    r.String(key);
  ReadBoardFileEdits(r, "expose");
  for (const char* shim : {"radio", "ethernet"})
    if (r.Find(shim, false) != nullptr) ReadTraceShim(r.Object(shim));
  r.WarnUnknownKeys();
}

Json ReadTrace(BoardObjectReader r) {
  r.Enum("link", kTraceLinks);
  if (r.Find("rust", false) != nullptr) ReadTraceRust(r.Object("rust"));
  r.OptionalUnsigned("baud", kMaxBaud);
  if (auto vid_pid = r.OptionalString("vid_pid"); vid_pid && !IsVidPid(*vid_pid))
    BoardObjectReader::Fail(r.doc(), r.PointerOf("vid_pid"),
                            "expected \"VID:PID\" in hex, like \"239a:8071\"", "VID:PID");
  if (auto address = r.OptionalString("address"); address && !IsHostPort(*address))
    BoardObjectReader::Fail(r.doc(), r.PointerOf("address"),
                            "expected \"HOST:PORT\", like \"127.0.0.1:4444\"", "HOST:PORT");
  r.WarnUnknownKeys();
  return r.value();
}

NetworkHardware ReadNetworkHardware(BoardObjectReader r) {
  NetworkHardware n;
  n.kind = r.Enum("kind", kNetworkKinds);
  n.name = r.String("name");
  n.device = r.String("device");
  n.driver = r.String("driver");
  n.driver_num = static_cast<uint32_t>(r.OptionalUnsigned("driver_num", 0xFFFFFFFF).value_or(0));
  n.note = r.OptionalString("note").value_or("");
  if (r.Find("can_fd", false)) {
    if (n.kind != "can")
      BoardObjectReader::Fail(r.doc(), r.PointerOf("can_fd"),
                              "\"can_fd\" is a capability of CAN hardware, not of " + n.kind,
                              "remove \"can_fd\", or kind \"can\"");
    n.can_fd = r.Bool("can_fd");
  }
  r.WarnUnknownKeys();
  return n;
}

bool IsBoardName(const std::string& name) {
  return !name.empty() && name.find_first_not_of(
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                              "0123456789_.-") == std::string::npos;
}

void ReadIdentity(BoardObjectReader& r, HardwareBoard& b) {
  b.name = r.String("name");
  if (!IsBoardName(b.name))
    BoardObjectReader::Fail(
        r.doc(), r.PointerOf("name"),
        "board name \"" + b.name + "\" may only use letters, digits, '_', '.' and '-'",
        "letters, digits, '_', '.' and '-'");
  b.description = r.String("description");
  b.tock_path = r.String("tock_path");
  b.package = r.String("package");
  b.chip = r.String("chip");
  b.core = r.String("core");
  b.arch = r.Enum("arch", kArchs);
  b.target = r.String("target");
  if (r.Find("tier", false)) b.tier = static_cast<int>(r.Integer("tier", 1, 3));
}

void ReadNetworkList(BoardObjectReader& r, HardwareBoard& b) {
  const Json& list = r.Array("network_hardware");
  for (size_t i = 0; i < list.size(); ++i)
    b.network_hardware.push_back(ReadNetworkHardware(BoardObjectReader(
        r.doc(), list[i], r.PointerOf("network_hardware") + "/" + std::to_string(i),
        r.warnings())));
}

// ---- self-consistency checks ----

struct KindRule {
  ProtectionKind kind;
  bool power_of_two;
  bool size_aligned;
  uint32_t subregions;
  uint64_t min_region_size;
  uint32_t max_regions;
  std::vector<std::string> archs;
};

const std::vector<KindRule>& KindRules() {
  static const std::vector<KindRule> kRules = {
      {ProtectionKind::kArmv6mMpu, true, true, 8, 256, 16, {"armv6-m"}},
      {ProtectionKind::kArmv7mMpu, true, true, 8, 32, 16, {"armv7e-m"}},
      {ProtectionKind::kArmv8mMpu, false, false, 0, 32, 16, {"armv8-m.main"}},
      {ProtectionKind::kRiscvPmp, false, false, 0, 4, 64, {"rv32imac", "rv32imc", "rv64imac"}},
      {ProtectionKind::kRiscvEpmp, false, false, 0, 4, 64, {"rv32imac", "rv32imc", "rv64imac"}},
      {ProtectionKind::kX86Paging, false, true, 0, 4096, 4096, {"i486"}},
  };
  return kRules;
}

const KindRule& RuleFor(ProtectionKind kind) {
  for (const auto& rule : KindRules())
    if (rule.kind == kind) return rule;
  return KindRules().front();
}

std::string BoolText(bool b) { return b ? "true" : "false"; }

// The protection kinds that fit `arch`, for "valid: ..." parts.
std::string KindsForArch(const std::string& arch) {
  std::vector<std::string> kinds;
  for (const auto& rule : KindRules())
    if (std::find(rule.archs.begin(), rule.archs.end(), arch) != rule.archs.end())
      kinds.emplace_back(ProtectionKindName(rule.kind));
  return JoinWords(kinds);
}

void CheckProtectionRule(const Protection& p, const KindRule& rule,
                         std::vector<HardwareProblem>& out) {
  std::string kind = ProtectionKindName(p.kind);
  if (p.power_of_two != rule.power_of_two)
    out.push_back({"/protection/power_of_two",
                   kind + " requires power_of_two " + BoolText(rule.power_of_two),
                   BoolText(rule.power_of_two)});
  if (p.size_aligned != rule.size_aligned)
    out.push_back({"/protection/size_aligned",
                   kind + " requires size_aligned " + BoolText(rule.size_aligned),
                   BoolText(rule.size_aligned)});
  if (p.subregions != rule.subregions)
    out.push_back({"/protection/subregions",
                   kind + " requires subregions " + std::to_string(rule.subregions),
                   std::to_string(rule.subregions)});
  if (p.min_region_size != rule.min_region_size)
    out.push_back({"/protection/min_region_size",
                   kind + " requires min_region_size " + std::to_string(rule.min_region_size),
                   std::to_string(rule.min_region_size)});
  if (p.regions > rule.max_regions)
    out.push_back({"/protection/regions",
                   kind + " has at most " + std::to_string(rule.max_regions) + " regions, got " +
                       std::to_string(p.regions),
                   "1.." + std::to_string(rule.max_regions)});
}

void CheckProtection(const HardwareBoard& b, std::vector<HardwareProblem>& out) {
  const Protection& p = b.protection;
  const KindRule& rule = RuleFor(p.kind);
  CheckProtectionRule(p, rule, out);
  if (p.app_regions > p.regions)
    out.push_back({"/protection/app_regions",
                   "app_regions " + std::to_string(p.app_regions) + " exceeds regions " +
                       std::to_string(p.regions),
                   "1.." + std::to_string(p.regions)});
  if (p.process_reserved > p.app_regions)
    out.push_back({"/protection/process_reserved",
                   "process_reserved " + std::to_string(p.process_reserved) +
                       " exceeds app_regions " + std::to_string(p.app_regions),
                   "0.." + std::to_string(p.app_regions)});
  if (std::find(rule.archs.begin(), rule.archs.end(), b.arch) == rule.archs.end())
    out.push_back({"/protection/kind",
                   std::string(ProtectionKindName(p.kind)) + " does not fit arch " + b.arch,
                   KindsForArch(b.arch)});
}

struct NamedRegion {
  const MemoryRegion* region;
  std::string pointer;
};

std::vector<NamedRegion> AllRegions(const MemoryMap& m) {
  std::vector<NamedRegion> all = {{&m.kernel_flash, "/memory/kernel_flash"},
                                  {&m.app_flash, "/memory/app_flash"},
                                  {&m.ram, "/memory/ram"}};
  for (size_t i = 0; i < m.reserved.size(); ++i)
    all.push_back({&m.reserved[i], "/memory/reserved/" + std::to_string(i)});
  return all;
}

std::string RangeText(const MemoryRegion& r) {
  return r.name + " [" + FormatBoardHex(r.origin) + ", " + FormatBoardHex(r.origin + r.length) +
         ")";
}

bool FitsAddressSpace(const MemoryRegion& r, bool is_64bit) {
  uint64_t limit_minus_1 = is_64bit ? std::numeric_limits<uint64_t>::max() : 0xFFFFFFFFull;
  return r.origin <= limit_minus_1 && r.length - 1 <= limit_minus_1 - r.origin;
}

void CheckRegionSizes(const std::vector<NamedRegion>& all, bool is_64bit,
                      std::vector<HardwareProblem>& out) {
  for (const auto& [region, pointer] : all) {
    if (region->length == 0)
      out.push_back({pointer + "/length", region->name + " has length 0; regions must not be empty",
                     "a length above 0"});
    else if (!FitsAddressSpace(*region, is_64bit))
      out.push_back(
          {pointer + "/length",
           region->name + " ends past the " + (is_64bit ? "64" : "32") + "-bit address space",
           "a region that ends at or below " +
               std::string(is_64bit ? "0xffffffffffffffff" : "0xffffffff")});
  }
}

bool Overlap(const MemoryRegion& a, const MemoryRegion& b) {
  if (a.length == 0 || b.length == 0) return false;
  return a.origin < b.origin ? b.origin - a.origin < a.length : a.origin - b.origin < b.length;
}

void CheckOverlaps(const std::vector<NamedRegion>& all, std::vector<HardwareProblem>& out) {
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (Overlap(*all[i].region, *all[j].region))
        out.push_back({all[i].pointer,
                       RangeText(*all[i].region) + " overlaps " + RangeText(*all[j].region) +
                           "; regions must not overlap",
                       "a range that overlaps no other region"});
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

void CheckPages(const HardwareBoard& b, std::vector<HardwareProblem>& out) {
  if (!IsPowerOfTwo(b.page_size)) {
    out.push_back({"/page_size",
                   "page_size " + std::to_string(b.page_size) + " is not a power of two",
                   "a power of two, e.g. 512 or 4096"});
    return;
  }
  if (b.memory.app_flash.origin % b.page_size != 0)
    out.push_back({"/memory/app_flash/origin",
                   "app_flash origin " + FormatBoardHex(b.memory.app_flash.origin) +
                       " is not aligned to page_size " + std::to_string(b.page_size),
                   "a multiple of " + std::to_string(b.page_size)});
}

void CheckFlash(const HardwareBoard& b, std::vector<HardwareProblem>& out) {
  std::vector<std::string> seen;  // "external" may repeat, once per tool
  for (size_t i = 0; i < b.flash_methods.size(); ++i) {
    const std::string& m = b.flash_methods[i].method;
    if (m != "external" && std::find(seen.begin(), seen.end(), m) != seen.end())
      out.push_back({"/flash/methods/" + std::to_string(i),
                     "flash method \"" + m + "\" is listed twice",
                     "each method once (\"external\" once per tool)"});
    seen.push_back(m);
  }
  if (!b.FindFlashMethod(b.default_flash_method)) {
    out.push_back({"/flash/default",
                   "default flash method \"" + b.default_flash_method + "\" is not in methods",
                   JoinWords(seen)});
  }
}

void CheckNetworkNames(const HardwareBoard& b, std::vector<HardwareProblem>& out) {
  for (size_t i = 0; i < b.network_hardware.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (b.network_hardware[i].name == b.network_hardware[j].name)
        out.push_back({"/network_hardware/" + std::to_string(i) + "/name",
                       "network hardware name \"" + b.network_hardware[i].name + "\" is used twice",
                       "a name no other entry uses"});
}

// trace.rust.`key`.hardware (a tracer shim) names the board's network_hardware entry of `kind`
// the shim records.
void CheckTraceShim(const HardwareBoard& b, const std::string& key, const std::string& kind,
                    std::vector<HardwareProblem>& out) {
  if (!b.trace.is_object() || !b.trace.contains("rust") || !b.trace["rust"].contains(key)) return;
  std::string name = b.trace["rust"][key].value("hardware", std::string());
  std::vector<std::string> names;
  for (const auto& n : b.network_hardware) {
    if (n.kind != kind) continue;
    if (n.name == name) return;
    names.push_back(n.name);
  }
  out.push_back(
      {"/trace/rust/" + key + "/hardware",
       "\"" + name + "\" names no " + kind + " entry of network_hardware",
       names.empty() ? "a board with an " + kind + " network_hardware entry" : JoinWords(names)});
}

void SortByPosition(std::vector<BoardWarning>& warnings, size_t first) {
  std::stable_sort(warnings.begin() + static_cast<std::ptrdiff_t>(first), warnings.end(),
                   [](const BoardWarning& a, const BoardWarning& b) {
                     return std::tie(a.position.line, a.position.column) <
                            std::tie(b.position.line, b.position.column);
                   });
}

// ---- serialisation ----

Json RegionJson(const MemoryRegion& r, bool with_name) {
  Json j = Json::object();
  if (with_name) j["name"] = r.name;
  j["origin"] = FormatBoardHex(r.origin);
  j["length"] = FormatBoardHex(r.length);
  return j;
}

Json ProtectionJson(const Protection& p) {
  Json j = {{"kind", ProtectionKindName(p.kind)},   {"regions", p.regions},
            {"app_regions", p.app_regions},         {"process_reserved", p.process_reserved},
            {"min_region_size", p.min_region_size}, {"power_of_two", p.power_of_two},
            {"size_aligned", p.size_aligned},       {"subregions", p.subregions}};
  if (!p.source.empty()) j["source"] = p.source;
  return j;
}

Json MemoryJson(const MemoryMap& m) {
  Json j = {{"kernel_flash", RegionJson(m.kernel_flash, false)},
            {"app_flash", RegionJson(m.app_flash, false)},
            {"ram", RegionJson(m.ram, false)}};
  if (!m.reserved.empty()) {
    j["reserved"] = Json::array();
    for (const auto& r : m.reserved) j["reserved"].push_back(RegionJson(r, true));
  }
  return j;
}

Json NetworkJson(const NetworkHardware& n) {
  Json j = {{"kind", n.kind}, {"name", n.name}, {"device", n.device}, {"driver", n.driver}};
  if (n.HasSyscallDriver()) j["driver_num"] = FormatBoardHex(n.driver_num);
  if (!n.note.empty()) j["note"] = n.note;
  if (n.kind == "can") j["can_fd"] = n.can_fd;
  return j;
}

}  // namespace

const char* ProtectionKindName(ProtectionKind kind) {
  return kProtectionNames[static_cast<size_t>(kind)];
}

std::optional<ProtectionKind> ProtectionKindFromName(const std::string& name) {
  for (size_t i = 0; i < kProtectionNames.size(); ++i)
    if (name == kProtectionNames[i]) return static_cast<ProtectionKind>(i);
  return std::nullopt;
}

const FlashMethod* HardwareBoard::FindFlashMethod(const std::string& method) const {
  for (const auto& m : flash_methods)
    if (m.method == method) return &m;
  return nullptr;
}

bool HardwareBoard::HasNetworkKind(const std::string& kind) const {
  for (const auto& n : network_hardware)
    if (n.kind == kind) return true;
  return false;
}

std::string FormatBoardWarning(const std::string& file, const BoardWarning& w) {
  return OneLine(file + ":" + std::to_string(w.position.line) + ":" +
                 std::to_string(w.position.column) + ": warning: " + w.pointer + ": " + w.message +
                 (w.valid.empty() ? "" : "; valid: " + w.valid));
}

HardwareBoard ReadHardwareBoard(const JsonDocument& doc, const std::string& pointer,
                                std::vector<BoardWarning>& warnings) {
  Json::json_pointer ptr(pointer);
  if (!doc.root().contains(ptr))
    BoardObjectReader::Fail(doc, pointer, "missing board object", "a \"board\" object");
  size_t first_warning = warnings.size();
  BoardObjectReader r(doc, doc.root().at(ptr), pointer, warnings);
  HardwareBoard b;
  ReadIdentity(r, b);
  b.protection = ReadProtection(r.Object("protection"));
  b.memory = ReadMemory(r.Object("memory"));
  b.page_size = static_cast<uint32_t>(r.Integer("page_size", 1, uint64_t{1} << 24));
  ReadFlash(r.Object("flash"), b);
  b.console = ReadConsole(r.Object("console"));
  b.trace = ReadTrace(r.Object("trace"));
  ReadNetworkList(r, b);
  b.legacy_ipc = r.OptionalBool("legacy_ipc");
  if (r.Find("source", false)) b.source = r.Object("source").value();
  r.WarnUnknownKeys();
  SortByPosition(warnings, first_warning);
  return b;
}

std::vector<HardwareProblem> CheckHardwareBoard(const HardwareBoard& board) {
  std::vector<HardwareProblem> out;
  std::vector<NamedRegion> regions = AllRegions(board.memory);
  CheckRegionSizes(regions, board.arch == "rv64imac", out);
  CheckOverlaps(regions, out);
  CheckPages(board, out);
  CheckProtection(board, out);
  CheckFlash(board, out);
  CheckNetworkNames(board, out);
  CheckTraceShim(board, "radio", "ieee802154", out);
  CheckTraceShim(board, "ethernet", "ethernet", out);
  return out;
}

HardwareBoard ReadCheckedHardwareBoard(const JsonDocument& doc, const std::string& pointer,
                                       std::vector<BoardWarning>& warnings) {
  HardwareBoard board = ReadHardwareBoard(doc, pointer, warnings);
  std::vector<HardwareProblem> problems = CheckHardwareBoard(board);
  if (!problems.empty())
    BoardObjectReader::Fail(doc, pointer + problems.front().pointer, problems.front().message,
                            problems.front().valid);
  return board;
}

void to_json(Json& j, const HardwareBoard& b) {
  j = Json::object();
  for (const auto& [key, value] : {std::pair{"name", b.name},
                                   {"description", b.description},
                                   {"tock_path", b.tock_path},
                                   {"package", b.package},
                                   {"chip", b.chip},
                                   {"core", b.core},
                                   {"arch", b.arch},
                                   {"target", b.target}})
    j[key] = value;
  if (b.tier) j["tier"] = *b.tier;
  j["protection"] = ProtectionJson(b.protection);
  j["memory"] = MemoryJson(b.memory);
  j["page_size"] = b.page_size;
  j["flash"] = {{"default", b.default_flash_method}, {"methods", Json::array()}};
  for (const auto& m : b.flash_methods) j["flash"]["methods"].push_back(m.settings);
  j["console"] = b.console;
  j["trace"] = b.trace;
  j["network_hardware"] = Json::array();
  for (const auto& n : b.network_hardware) j["network_hardware"].push_back(NetworkJson(n));
  if (b.legacy_ipc) j["legacy_ipc"] = *b.legacy_ipc;
  if (!b.source.is_null()) j["source"] = b.source;
}

}  // namespace tockctl::config
