#include "kernel/kernel_build.h"

#include <algorithm>
#include <cstdio>

#include "common/elf_file.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "config/board_resolution.h"
#include "kernel/board_integration.h"
#include "kernel/config_module.h"
#include "kernel/flat_binary.h"
#include "kernel/sha256.h"
#include "kernel/tock_tree.h"
#include "kernel/toolchain_check.h"

namespace tockctl::kernel {
namespace {

namespace fs = std::filesystem;

void Note(BuildEnvironment& env, const std::string& text) {
  if (env.on_note) env.on_note(text);
}

ConfigModuleSource LoadSource(const BuildRequest& r) {
  config::BoardSearch search =
      r.board_search ? *r.board_search : config::BoardSearch::From(r.data_dir, {}, {}, {});
  return ConfigModuleSourceFor(config::ResolveBoard({r.board, r.config}, search), r.data_dir);
}

// True if a line of `text`, before any comment, starts with `key`.
bool HasKeyLine(const std::string& text, const std::string& key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line.compare(first, key.size(), key) == 0) return true;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return false;
}

constexpr const char* kIntegrateHint =
    "; run: tockctl build --integrate (--integrate --dry-run shows the lines)";

std::string CrateRoots(const fs::path& board_dir) {
  std::string text;
  std::error_code ec;
  for (const char* root : {"main.rs", "lib.rs"}) {
    fs::path file = board_dir / "src" / root;
    if (fs::is_regular_file(file, ec)) text += ReadFile(file);
  }
  return text;
}

// Warns when the board crate does not use the generated module, its crates or the tracer.
void CheckModuleUse(BuildResult& result, const ConfigModuleSource& source) {
  std::string roots = CrateRoots(result.board_dir);
  std::string dir = PathInTree(result.board_dir, result.tock_root);
  if (!HasKeyLine(roots, "mod tockctl_config;"))
    result.warnings.push_back(dir + "/src/main.rs does not include the generated module" +
                              kIntegrateHint);
  std::string manifest = ReadFile(result.board_dir / "Cargo.toml");
  for (std::string crate : {"tock-config", "tock-trace-tock"}) {
    if (crate == "tock-trace-tock" && !TraceEnabled(source)) continue;
    std::string underscored = crate;
    std::replace(underscored.begin(), underscored.end(), '-', '_');
    if (!HasKeyLine(manifest, crate) && !HasKeyLine(manifest, underscored))
      result.warnings.push_back(std::string(dir)
                                    .append("/Cargo.toml does not depend on ")
                                    .append(crate)
                                    .append(kIntegrateHint));
  }
  bool calls_tracer = roots.find("tockctl_config::trace_setup(") != std::string::npos;
  if (TraceEnabled(source) && !calls_tracer)
    result.warnings.push_back(dir + "/src/main.rs does not set up the tracer (\"trace\" is on)" +
                              kIntegrateHint);
  if (!TraceEnabled(source) && calls_tracer)
    result.warnings.push_back(dir +
                              "/src/main.rs calls tockctl_config::trace_setup but \"trace\" is "
                              "off; the build fails: remove the tracer lines or turn \"trace\" on");
}

IntegrationResult Integrate(const BuildResult& result, const ConfigModuleSource& source,
                            const BuildRequest& request, BuildEnvironment& env) {
  IntegrationPlan plan =
      PlanIntegration(source, result.tock_root, result.board_dir, request.data_dir);
  IntegrationResult out;
  out.diff = FormatIntegrationDiff(plan, result.tock_root);
  for (const FileEdit& e : plan.edits) out.changed.push_back(PathInTree(e.file, result.tock_root));
  if (plan.create_link)
    out.link = std::string(kCratesLinkName) + " -> " + plan.link_target.string();
  std::string dir = PathInTree(result.board_dir, result.tock_root);
  if (plan.Empty()) {
    Note(env, "integrate: " + dir + " already has every tockctl line; nothing changed");
    return out;
  }
  if (env.on_diff) env.on_diff(out.diff);
  if (request.dry_run) {
    Note(env, "integrate --dry-run: nothing written; run without --dry-run to apply the diff");
    return out;
  }
  ApplyIntegration(plan);
  out.written = true;
  Note(env, "integrate: changed " + std::to_string(out.changed.size()) + " file" +
                (out.changed.size() == 1 ? "" : "s") +
                (plan.create_link ? ", linked " + out.link : ""));
  return out;
}

void GenerateModule(BuildResult& result, const ConfigModuleSource& source,
                    const BuildRequest& request, BuildEnvironment& env) {
  fs::path src = result.board_dir / "src";
  std::error_code ec;
  if (!fs::is_directory(src, ec)) {
    ErrorContext ctx;
    ctx.file = src.string();
    throw Error(ErrorCategory::kIo, "the board directory has no src/ for the generated module", ctx,
                "is tock_path in the board JSON the board crate's directory?");
  }
  result.module = src / kConfigModuleFile;
  std::string module = RenderConfigModule(source, request.data_dir);
  if (!request.dry_run) {
    result.module_written = WriteIfChanged(result.module, module);
    Note(env, (result.module_written ? "wrote " : "unchanged: ") +
                  PathInTree(result.module, result.tock_root));
  }
  if (request.integrate) result.integration = Integrate(result, source, request, env);
  if (!request.dry_run) CheckModuleUse(result, source);
}

void CheckTools(BuildResult& result, const BuildRequest& request, const BoardCrate& crate,
                BuildEnvironment& env) {
  ToolchainNeeds needs;
  needs.make = request.tool == BuildTool::kMake;
  needs.rust = request.check_rust;
  needs.target = crate.target;
  needs.json_target = crate.json_target;
  needs.board_dir = crate.board_dir;
  result.toolchain = CheckToolchain(needs, *env.runner);
}

void RunBoardBuild(BuildResult& result, const BuildRequest& request, const BoardCrate& crate,
                   BuildEnvironment& env) {
  BuildCommand command = MakeBuildCommand(request.tool, request.profile, crate);
  result.command = command.Display();
  Note(env, "running `" + result.command + "` in " + PathInTree(crate.board_dir, result.tock_root));
  auto on_line = env.on_output ? env.on_output : [](const std::string&, LineKind) {};
  BuildRun run = RunBuild(command, *env.runner, on_line);
  result.errors = run.errors;
  result.compiler_warnings = run.warnings;
  ThrowIfFailed(run, command);
}

fs::path ElfPath(const BuildResult& result, const BuildRequest& request) {
  fs::path target_dir = result.tock_root / "target";
  if (!request.cargo_target_dir.empty()) {
    fs::path dir = request.cargo_target_dir;
    target_dir = dir.is_absolute() ? dir : result.board_dir / dir;
  }
  return (target_dir / result.target / ProfileName(request.profile) / result.package)
      .lexically_normal();
}

// Writes the .bin beside the ELF unless the build already made the same bytes.
void WriteBin(BuildResult& result, const FlatBinary& bin, const fs::path& path) {
  std::error_code ec;
  bool existed = fs::is_regular_file(path, ec);
  std::string_view bytes(reinterpret_cast<const char*>(bin.bytes.data()), bin.bytes.size());
  if (WriteIfChanged(path, bytes) && existed)
    result.warnings.push_back(path.filename().string() +
                              " made by the build differed from the ELF's loadable sections "
                              "(stale?); rewrote it from the ELF");
}

void ReadOutputs(BuildResult& result, const BuildRequest& request) {
  fs::path elf_path = ElfPath(result, request);
  std::error_code ec;
  if (!fs::is_regular_file(elf_path, ec)) {
    ErrorContext ctx;
    ctx.file = elf_path.string();
    throw Error(ErrorCategory::kToolFailed, "the build succeeded but left no kernel ELF here", ctx,
                "the ELF is named after the cargo package (" + result.package + ") under target/" +
                    result.target + "/" + ProfileName(request.profile) + "/");
  }
  std::vector<uint8_t> bytes = ReadBinaryFile(elf_path, 1ull << 30);
  ElfFile elf = ParseElfFile(bytes, elf_path.string());
  FlatBinary bin = MakeFlatBinary(elf, bytes);
  BuildOutputs out;
  out.elf = elf_path;
  out.elf_sha256 = Sha256Hex(bytes);
  out.bin = elf_path.string() + ".bin";
  out.bin_address = bin.address;
  out.bin_size = bin.bytes.size();
  out.bin_sha256 = Sha256Hex(bin.bytes);
  WriteBin(result, bin, out.bin);
  result.outputs = out;
  result.memory = AnalyzeMemory(elf, result.board.memory);
}

}  // namespace

BuildResult BuildKernel(const BuildRequest& request, BuildEnvironment& env) {
  ConfigModuleSource source = LoadSource(request);
  BuildResult result;
  result.board = source.board;
  result.source_file = source.path;
  result.catalog_defaults = source.catalog_defaults;
  result.source_sha256 = source.sha256;
  result.tool = request.tool;
  result.profile = request.profile;
  const char* env_dir = request.tock_dir_env.empty() ? nullptr : request.tock_dir_env.c_str();
  TockTree tree = FindTockTree(request.tock_dir, env_dir, request.cwd);
  result.tock_root = tree.root;
  result.tock_found_by = tree.found_by;
  BoardCrate crate = LocateBoardCrate(tree, source.board);
  result.board_dir = crate.board_dir;
  result.package = crate.package;
  result.target = crate.target;
  result.warnings = crate.warnings;
  GenerateModule(result, source, request, env);
  if (request.generate_only || request.dry_run) return result;
  CheckTools(result, request, crate, env);
  RunBoardBuild(result, request, crate, env);
  ReadOutputs(result, request);
  return result;
}

nlohmann::ordered_json BuildResultToJson(const BuildResult& r) {
  nlohmann::ordered_json j;
  j["board"] = r.board.name;
  j["source"] = {{"file", r.source_file},
                 {"sha256", r.source_sha256},
                 {"catalog_defaults", r.catalog_defaults}};
  j["tock"] = {{"root", r.tock_root.string()},
               {"found_by", r.tock_found_by},
               {"board_dir", r.board_dir.string()},
               {"package", r.package},
               {"target", r.target}};
  j["module"] = {{"path", r.module.string()}, {"written", r.module_written}};
  if (r.integration)
    j["integration"] = {
        {"written", r.integration->written},
        {"changed", r.integration->changed},
        {"link", r.integration->link.empty() ? nlohmann::ordered_json()
                                             : nlohmann::ordered_json(r.integration->link)},
        {"diff", r.integration->diff}};
  j["warnings"] = r.warnings;
  if (r.command.empty()) return j;
  j["toolchain"] = r.toolchain;
  j["build"] = {{"command", r.command},
                {"tool", r.tool == BuildTool::kMake ? "make" : "cargo"},
                {"profile", ProfileName(r.profile)},
                {"errors", r.errors},
                {"warnings", r.compiler_warnings}};
  if (r.outputs)
    j["outputs"] = {{"elf", r.outputs->elf.string()},  {"elf_sha256", r.outputs->elf_sha256},
                    {"bin", r.outputs->bin.string()},  {"bin_address", r.outputs->bin_address},
                    {"bin_size", r.outputs->bin_size}, {"bin_sha256", r.outputs->bin_sha256}};
  if (r.memory) j["memory"] = MemoryReportToJson(*r.memory);
  return j;
}

namespace {

// What the .bin holds when it runs to Tock's kernel attributes at the end of kernel flash.
std::string BinLayoutLine(const BuildResult& r) {
  if (!r.memory || !r.memory->attributes) return {};
  const AttributesUse& a = *r.memory->attributes;
  if (a.end() != r.outputs->bin_address + r.outputs->bin_size) return {};
  return "         kernel " + std::to_string(r.memory->kernel_flash.used) +
         " bytes, then zeros up to the kernel attributes (" + std::to_string(a.size) +
         " bytes at " + HexNumber(a.address) + ")\n";
}

}  // namespace

std::string FormatBuildResult(const BuildResult& r) {
  std::string out = "board    " + r.board.name + " (" + r.source_file +
                    (r.catalog_defaults ? " with `tockctl config init` defaults" : "") + ")\n";
  bool dry_run = r.integration && !r.integration->written && !r.integration->diff.empty();
  out += "module   " + r.module.string() +
         (r.module_written ? ""
          : dry_run        ? " (not written: --dry-run)"
                           : " (unchanged)") +
         "\n";
  if (!r.outputs) return out;
  out += "kernel   " + r.outputs->elf.string() + "\n";
  out += "         sha256 " + r.outputs->elf_sha256 + "\n";
  out += "binary   " + r.outputs->bin.string() + ", " + std::to_string(r.outputs->bin_size) +
         " bytes at " + HexNumber(r.outputs->bin_address) + "\n";
  out += BinLayoutLine(r);
  out += "         sha256 " + r.outputs->bin_sha256 + "\n";
  out += "build    " + DiagnosticSummary(r.errors, r.compiler_warnings) + "\n";
  if (r.memory) out += "memory\n" + FormatMemoryReport(*r.memory);
  return out;
}

}  // namespace tockctl::kernel
