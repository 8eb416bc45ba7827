#include "kernel/board_integration.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/error.h"
#include "common/file_io.h"
#include "common/text_diff.h"
#include "kernel/tock_tree.h"

namespace tockctl::kernel {
namespace {

namespace fs = std::filesystem;

// A file's lines, edited in place, written back with its final newline.
struct LineFile {
  fs::path path;
  std::vector<std::string> lines;
  bool final_newline = true;

  static LineFile Read(const fs::path& path) {
    LineFile f{path, {}, true};
    std::string text = ReadFile(path);
    f.final_newline = text.empty() || text.back() == '\n';
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      f.lines.push_back(text.substr(at, end - at));
      at = end + 1;
    }
    return f;
  }
  std::string Text() const {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i)
      out += lines[i] + (i + 1 < lines.size() || final_newline ? "\n" : "");
    return out;
  }
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string Indent(const std::string& s) { return s.substr(0, s.find_first_not_of(" \t")); }

// First line index at or after `from` whose trimmed text starts with `prefix`.
std::optional<size_t> FindLine(const LineFile& f, const std::string& prefix, size_t from = 0) {
  for (size_t i = from; i < f.lines.size(); ++i)
    if (Trim(f.lines[i]).rfind(prefix, 0) == 0) return i;
  return std::nullopt;
}

bool Contains(const LineFile& f, const std::string& needle) {
  return std::any_of(f.lines.begin(), f.lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

[[noreturn]] void MissingAnchor(const LineFile& f, const fs::path& tock_root,
                                const std::string& anchor, const std::string& purpose) {
  ErrorContext ctx;
  ctx.file = f.path.string();
  throw Error(ErrorCategory::kInvalidInput,
              PathInTree(f.path, tock_root) + " has no line `" + anchor + "`, needed to " + purpose,
              ctx,
              "nothing was changed; add the lines by hand (tockctl build --integrate --dry-run "
              "shows them on a board that has the line) or see docs/tracing-real-tock.md");
}

std::string Fact(const config::HardwareBoard& board, const char* key) {
  return board.trace["rust"].value(key, std::string());
}

void AddModuleLine(LineFile& f, const fs::path& root) {
  if (FindLine(f, "mod tockctl_config;")) return;
  std::optional<size_t> last_use;
  for (size_t i = 0; i < f.lines.size(); ++i)
    if (f.lines[i].rfind("use ", 0) == 0) last_use = i;
  if (!last_use) MissingAnchor(f, root, "use ...;", "put `mod tockctl_config;` after it");
  f.lines.insert(f.lines.begin() + static_cast<long>(*last_use) + 1,
                 {"", "// tockctl build: the board JSON as Rust (tockctl build --integrate)",
                  "mod tockctl_config;"});
}

// Replaces the line whose trimmed text is `old` (the first at or after `from`) by `replacement`.
void ReplaceArgument(LineFile& f, const fs::path& root, size_t from, const std::string& old,
                     const std::string& replacement, const std::string& purpose) {
  for (size_t i = from; i < f.lines.size(); ++i)
    if (Trim(f.lines[i]) == old) {
      f.lines[i] = Indent(f.lines[i]) + replacement;
      return;
    }
  MissingAnchor(f, root, old, purpose);
}

// `head(args);` on one line, or one argument a line when that is wider than rustfmt's 100.
void AddCall(std::vector<std::string>& block, const std::string& indent, const std::string& head,
             const std::vector<std::string>& args) {
  std::string joined;
  for (const auto& a : args) joined += (joined.empty() ? "" : ", ") + a;
  std::string line = indent + head + "(" + joined + ");";
  if (line.size() <= 100) return block.push_back(line);
  block.push_back(indent + head + "(");
  for (const auto& a : args)
    block.push_back(std::string(indent).append("    ").append(a).append(","));
  block.push_back(indent + ");");
}

void AddTracerLines(LineFile& f, const config::HardwareBoard& board, const fs::path& root) {
  if (Contains(f, "tockctl_config::trace_setup(")) return;
  std::string platform = Fact(board, "platform");
  std::string anchor = "let platform = " + platform + " {";
  std::optional<size_t> start = FindLine(f, anchor);
  if (!start) MissingAnchor(f, root, anchor, "make the platform static for the tracer");
  std::string indent = Indent(f.lines[*start]);
  size_t end = *start;
  while (end < f.lines.size() && f.lines[end] != indent + "};") ++end;
  if (end == f.lines.size()) MissingAnchor(f, root, indent + "};", "end `" + anchor + "`");
  if (!Contains(f, "board_kernel"))
    MissingAnchor(f, root, "let (board_kernel, ...)", "give the tracer the kernel");
  std::vector<std::string> block{
      indent + "// tockctl tracer: \"trace\" in the board JSON (tockctl build --integrate)",
      indent + "let platform = kernel::static_init!(" + platform + ", platform);"};
  AddCall(block, indent, "let tracer = tockctl_config::trace_setup",
          {Fact(board, "uart_mux"), Fact(board, "clock_ref"), "board_kernel"});
  AddCall(block, indent, "let traced_resources = tockctl_config::trace_resources",
          {"platform", "tracer"});
  AddCall(block, indent, "let traced_fault_policy = tockctl_config::trace_fault_policy",
          {"&FAULT_RESPONSE", "tracer"});
  f.lines.insert(f.lines.begin() + static_cast<long>(end) + 1, block.begin(), block.end());
  size_t after = end + 1 + block.size();
  ReplaceArgument(f, root, after, "&FAULT_RESPONSE,", "traced_fault_policy,",
                  "hand the tracer's fault policy to load_processes");
  std::optional<size_t> loop = FindLine(f, "board_kernel.kernel_loop(", after);
  if (!loop) MissingAnchor(f, root, "board_kernel.kernel_loop(", "hand the tracer's resources");
  ReplaceArgument(f, root, *loop, "&platform,", "traced_resources,",
                  "hand the tracer's resources to kernel_loop");
}

// Every @NAME@ of `text` replaced by its value in `values`.
std::string FillPlaceholders(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values)
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at))
      text.replace(at, name.size(), value), at += value.size();
  return text;
}

LineFile& FileOf(std::vector<LineFile>& files, const fs::path& path) {
  auto it = std::find_if(files.begin(), files.end(), [&](auto& f) { return f.path == path; });
  if (it != files.end()) return *it;
  files.push_back(LineFile::Read(path));
  return files.back();
}

// True if `lines` stand in `f` one after the other, the first at `at` (anywhere when nullopt).
bool HasBlock(const LineFile& f, const std::vector<std::string>& lines,
              std::optional<size_t> at = std::nullopt) {
  for (size_t i = at.value_or(0); i + lines.size() <= f.lines.size(); ++i) {
    if (std::equal(lines.begin(), lines.end(), f.lines.begin() + static_cast<std::ptrdiff_t>(i)))
      return true;
    if (at) return false;
  }
  return false;
}

// The edit's "replace": one line, or a run of lines (a list), each compared trimmed.
std::vector<std::string> ReplacedLines(const nlohmann::ordered_json& replace,
                                       const std::map<std::string, std::string>& values) {
  std::vector<std::string> out;
  if (replace.is_string()) return {FillPlaceholders(replace.get<std::string>(), values)};
  for (const auto& l : replace) out.push_back(FillPlaceholders(l.get<std::string>(), values));
  return out;
}

// The first line index where the trimmed lines of `f` are `run`, one after the other.
std::optional<size_t> FindRun(const LineFile& f, const std::vector<std::string>& run) {
  for (size_t i = 0; i + run.size() <= f.lines.size(); ++i) {
    size_t k = 0;
    while (k < run.size() && Trim(f.lines[i + k]) == run[k]) ++k;
    if (k == run.size()) return i;
  }
  return std::nullopt;
}

// One catalog edit: `lines` after the first line starting with "after", or in place of the
// first line (or run of lines) that is "replace" (trimmed). An edit already made is left alone.
void ApplyBoardFileEdit(LineFile& f, const nlohmann::ordered_json& e,
                        const std::map<std::string, std::string>& values, const fs::path& root,
                        const std::string& purpose) {
  std::vector<std::string> lines;
  for (const auto& l : e["lines"]) lines.push_back(FillPlaceholders(l.get<std::string>(), values));
  if (e.contains("replace")) {
    std::vector<std::string> old = ReplacedLines(e["replace"], values);
    if (std::optional<size_t> at = FindRun(f, old)) {
      auto it = f.lines.erase(f.lines.begin() + static_cast<std::ptrdiff_t>(*at),
                              f.lines.begin() + static_cast<std::ptrdiff_t>(*at + old.size()));
      f.lines.insert(it, lines.begin(), lines.end());
    } else if (!HasBlock(f, lines)) {
      MissingAnchor(f, root, old.size() == 1 ? old[0] : old[0] + " ... " + old.back(), purpose);
    }
    return;
  }
  std::string after = FillPlaceholders(e["after"].get<std::string>(), values);
  std::optional<size_t> at = FindLine(f, after);
  if (!at) MissingAnchor(f, root, after, purpose);
  if (!HasBlock(f, lines, *at + 1))
    f.lines.insert(f.lines.begin() + static_cast<long>(*at) + 1, lines.begin(), lines.end());
}

void ApplyBoardFileEdits(std::vector<LineFile>& files, const nlohmann::ordered_json& edits,
                         const std::map<std::string, std::string>& values,
                         const fs::path& board_dir, const fs::path& root,
                         const std::string& purpose) {
  for (const auto& e : edits)
    ApplyBoardFileEdit(FileOf(files, board_dir / e["file"].get<std::string>()), e, values, root,
                       purpose);
}

// The catalog's trace.rust.expose entries: lines a board's lib.rs needs so main.rs can reach
// the UART mux and the clock.
void AddExposedLines(std::vector<LineFile>& files, const config::HardwareBoard& board,
                     const fs::path& board_dir, const fs::path& root) {
  const auto& rust = board.trace["rust"];
  if (!rust.contains("expose")) return;
  ApplyBoardFileEdits(files, rust["expose"], {}, board_dir, root,
                      "let main.rs reach the tracer's UART and clock");
}

// The last line index of the statement starting at `first` (the line ending in ';').
size_t StatementEnd(const LineFile& f, size_t first) {
  size_t end = first;
  while (end + 1 < f.lines.size() && !Trim(f.lines[end]).ends_with(';')) ++end;
  return end;
}

// main.rs handing the shim the tracer, after the tracer's fault policy: `SHIM.set_tracer(tracer);`
// or, for an "optional" shim (an Option: the device may be absent), the same inside `if let`.
void AddSetTracer(LineFile& main_rs, const nlohmann::ordered_json& shim, const fs::path& root) {
  std::string expr = shim["shim"].get<std::string>();
  std::string name = expr.substr(expr.rfind('.') + 1);
  std::vector<std::string> block{expr + ".set_tracer(tracer);"};
  if (shim.value("optional", false))
    block = {"if let Some(" + name + ") = " + expr + " {", "    " + name + ".set_tracer(tracer);",
             "}"};
  if (Contains(main_rs, block[0])) return;
  std::optional<size_t> policy = FindLine(main_rs, "let traced_fault_policy = ");
  if (!policy)
    MissingAnchor(main_rs, root, "let traced_fault_policy = ...", "hand the shim the tracer");
  std::string indent = Indent(main_rs.lines[*policy]);
  for (std::string& line : block) line.insert(0, indent);
  size_t end = StatementEnd(main_rs, *policy);
  main_rs.lines.insert(main_rs.lines.begin() + static_cast<long>(end) + 1, block.begin(),
                       block.end());
}

// One of the catalog's tracer shims, board.trace.rust.`key` ("radio": TraceRadio between the
// 802.15.4 radio and the MAC; "ethernet": TraceEthernet between the adapter and EthernetTap):
// its edits, with @KEY_TYPE@, @KEY_DEVICE@ and @IFACE_ID@ filled in, and main.rs handing it
// the tracer.
void AddShim(std::vector<LineFile>& files, const config::HardwareBoard& board, const char* key,
             size_t iface_id, const fs::path& board_dir, const fs::path& root,
             const std::string& purpose) {
  const auto& shim = board.trace["rust"][key];
  std::string prefix = "@" + std::string(key);
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::map<std::string, std::string> values{
      {prefix + "_TYPE@", shim["type"].get<std::string>()},
      {prefix + "_DEVICE@", shim["device"].get<std::string>()},
      {"@IFACE_ID@", std::to_string(iface_id)}};
  ApplyBoardFileEdits(files, shim["edits"], values, board_dir, root, purpose);
  AddSetTracer(FileOf(files, board_dir / "src" / "main.rs"), shim, root);
}

// The shims whose "network" interface the tracer records (TracedEthernet, TracedRadio).
void AddShims(std::vector<LineFile>& files, const ConfigModuleSource& source,
              const fs::path& board_dir, const fs::path& root) {
  if (std::optional<TracedShimInterface> ethernet = TracedEthernet(source))
    AddShim(files, source.board, "ethernet", ethernet->iface_id, board_dir, root,
            "put the tracer's Ethernet shim between the adapter and EthernetTap");
  if (std::optional<TracedRadioInterface> radio = TracedRadio(source))
    AddShim(files, source.board, "radio", radio->iface_id, board_dir, root,
            "put the tracer's 802.15.4 shim between the radio and the MAC");
}

void AddDependencies(LineFile& f, bool trace, const fs::path& root, const fs::path& board_dir) {
  std::vector<std::string> wanted{"tock-config"};
  if (trace) wanted.emplace_back("tock-trace-tock");
  std::optional<size_t> deps = FindLine(f, "[dependencies]");
  if (!deps) MissingAnchor(f, root, "[dependencies]", "add tockctl's crates");
  size_t at = *deps + 1;
  for (const auto& name : wanted) {
    std::string underscored = name;
    std::replace(underscored.begin(), underscored.end(), '-', '_');
    if (FindLine(f, name + " ") || FindLine(f, name + "=") || FindLine(f, underscored + " "))
      continue;
    f.lines.insert(f.lines.begin() + static_cast<long>(at++),
                   CrateDependencyLine(name, root, board_dir));
  }
}

bool IsTockctlCrates(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "tock-config" / "Cargo.toml", ec) &&
         fs::is_regular_file(dir / "tock-trace-tock" / "Cargo.toml", ec);
}

void PlanLink(IntegrationPlan& plan, const fs::path& tock_root, const fs::path& data_dir) {
  plan.link = tock_root / kCratesLinkName;
  plan.link_target = fs::absolute(data_dir / "kernel").lexically_normal();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(plan.link, ec))) {
    plan.create_link = true;
    return;
  }
  if (IsTockctlCrates(plan.link)) return;
  ErrorContext ctx;
  ctx.file = plan.link.string();
  throw Error(ErrorCategory::kIo, "exists but does not hold tockctl's Rust crates", ctx,
              "nothing was changed; remove or rename it, then run --integrate again (it links " +
                  plan.link_target.string() + " there)");
}

// --integrate knows how main.rs reaches the console's MuxUart only (board.trace.rust.uart_mux).
void RequireConsoleLink(const ConfigModuleSource& source) {
  if (source.trace->link == config::TraceLinkKind::kConsole) return;
  ErrorContext ctx;
  ctx.file = source.path;
  ctx.json_pointer = "/trace/link";
  throw Error(
      ErrorCategory::kInvalidInput,
      std::string("--integrate wires the tracer to the console's MuxUart only; link is \"") +
          config::Name(source.trace->link) + "\"",
      ctx,
      "nothing was changed; call tockctl_config::trace_setup with a MuxUart on that link "
      "by hand (docs/tracing-real-tock.md), or use \"link\": \"console\"");
}

}  // namespace

std::string CrateDependencyLine(const std::string& name, const fs::path& tock_root,
                                const fs::path& board_dir) {
  fs::path rel = (tock_root / kCratesLinkName / name).lexically_relative(board_dir);
  return name + " = { path = \"" + rel.generic_string() + "\" }";
}

IntegrationPlan PlanIntegration(const ConfigModuleSource& source, const fs::path& tock_root,
                                const fs::path& board_dir, const fs::path& data_dir) {
  IntegrationPlan plan;
  bool trace = TraceEnabled(source);
  if (trace) RequireConsoleLink(source);
  PlanLink(plan, tock_root, data_dir);
  std::vector<LineFile> files{LineFile::Read(board_dir / "Cargo.toml"),
                              LineFile::Read(board_dir / "src" / "main.rs")};
  AddDependencies(files[0], trace, tock_root, board_dir);
  AddModuleLine(files[1], tock_root);
  if (trace) {
    AddTracerLines(files[1], source.board, tock_root);
    AddExposedLines(files, source.board, board_dir, tock_root);
    AddShims(files, source, board_dir, tock_root);
  }
  for (const LineFile& f : files) {
    std::string before = ReadFile(f.path);
    std::string after = f.Text();
    if (before != after) plan.edits.push_back({f.path, before, after});
  }
  return plan;
}

std::string FormatIntegrationDiff(const IntegrationPlan& plan, const fs::path& tock_root) {
  std::string out;
  if (plan.create_link)
    out += "link " + PathInTree(plan.link, tock_root) + " -> " + plan.link_target.string() + "\n";
  for (const FileEdit& e : plan.edits) {
    std::string name = PathInTree(e.file, tock_root);
    out += UnifiedDiff(e.before, e.after, "a/" + name, "b/" + name);
  }
  return out;
}

void ApplyIntegration(const IntegrationPlan& plan) {
  std::error_code ec;
  if (plan.create_link) fs::create_directory_symlink(plan.link_target, plan.link, ec);
  if (ec) {
    ErrorContext ctx;
    ctx.file = plan.link.string();
    throw Error(ErrorCategory::kIo, "cannot link tockctl's Rust crates here: " + ec.message(), ctx,
                "nothing was changed; link it by hand: ln -s " + plan.link_target.string() + " " +
                    plan.link.string());
  }
  for (const FileEdit& e : plan.edits) WriteFileAtomic(e.file, e.after);
}

}  // namespace tockctl::kernel
