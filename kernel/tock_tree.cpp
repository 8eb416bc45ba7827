#include "kernel/tock_tree.h"

#include "common/error.h"
#include "common/file_io.h"

namespace tockctl::kernel {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRootHint =
    "pass --tock-dir DIR or set TOCK_DIR to the top of a Tock checkout "
    "(git clone https://github.com/tock/tock)";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The quoted value at the start of `v` ("..." or '...'), or nullopt.
std::optional<std::string> QuotedValue(std::string_view v) {
  if (v.size() < 2 || (v.front() != '"' && v.front() != '\'')) return std::nullopt;
  size_t end = v.find(v.front(), 1);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(v.substr(1, end - 1));
}

// What a directory lacks to be a Tock root, e.g. "kernel/, capsules/".
std::string MissingRootParts(const fs::path& dir) {
  std::string missing;
  std::error_code ec;
  for (const char* sub : {"kernel", "capsules", "boards"})
    if (!fs::is_directory(dir / sub, ec))
      missing += std::string(missing.empty() ? "" : ", ") + sub + "/";
  if (!fs::is_regular_file(dir / "Cargo.toml", ec))
    missing += std::string(missing.empty() ? "" : ", ") + "Cargo.toml";
  return missing;
}

TockTree Chosen(const std::string& dir, const std::string& by) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorCategory::kUsage, dir + " (from " + by + ") is not a directory", {},
                kRootHint);
  std::string missing = MissingRootParts(dir);
  if (!missing.empty())
    throw Error(ErrorCategory::kUsage,
                dir + " (from " + by + ") is not a Tock checkout: it has no " + missing, {},
                kRootHint);
  return {fs::absolute(dir).lexically_normal(), by};
}

std::string ReadPackageName(const fs::path& manifest, const fs::path& root) {
  std::error_code ec;
  if (!fs::is_regular_file(manifest, ec)) {
    ErrorContext ctx;
    ctx.file = manifest.string();
    throw Error(
        ErrorCategory::kIo, "the board directory has no Cargo.toml", ctx,
        "is tock_path in the board JSON right? it names a directory relative to " + root.string());
  }
  auto name = TomlString(ReadFile(manifest), "package", "name");
  if (!name || name->empty()) {
    ErrorContext ctx;
    ctx.file = manifest.string();
    throw Error(ErrorCategory::kInvalidInput, "Cargo.toml has no [package] name", ctx,
                "a Tock board crate names its package, e.g. name = \"qemu_rv32_virt\"");
  }
  return *name;
}

// [build] target from the nearest .cargo/config.toml between the board directory and the root.
std::optional<std::pair<std::string, fs::path>> CargoConfigTarget(const fs::path& board_dir,
                                                                  const fs::path& root) {
  std::error_code ec;
  for (fs::path dir = board_dir;; dir = dir.parent_path()) {
    for (const char* name : {"config.toml", "config"}) {
      fs::path file = dir / ".cargo" / name;
      if (!fs::is_regular_file(file, ec)) continue;
      if (auto t = TomlString(ReadFile(file), "build", "target")) return {{*t, dir}};
    }
    if (dir == root || dir == dir.parent_path()) return std::nullopt;
  }
}

void ResolveTarget(BoardCrate& crate, const fs::path& root, const config::HardwareBoard& board) {
  std::error_code ec;
  auto configured = CargoConfigTarget(crate.board_dir, root);
  std::string target = configured ? configured->first : board.target;
  if (target.size() > 5 && target.ends_with(".json")) {
    crate.json_target = true;
    fs::path spec = configured ? configured->second / target : crate.board_dir / target;
    if (!fs::is_regular_file(spec, ec)) spec = crate.board_dir / target;
    if (fs::is_regular_file(spec, ec)) crate.target_spec = spec;
    target = fs::path(target).stem().string();
  } else if (fs::is_regular_file(crate.board_dir / (target + ".json"), ec)) {
    crate.json_target = true;
    crate.target_spec = crate.board_dir / (target + ".json");
  }
  crate.target = target;
  if (configured && target != board.target)
    crate.warnings.push_back(PathInTree(configured->second / ".cargo", root) +
                             " builds for target " + target + " but the board JSON says " +
                             board.target + "; using " + target);
}

}  // namespace

bool IsTockRoot(const fs::path& dir) { return MissingRootParts(dir).empty(); }

TockTree FindTockTree(const std::optional<std::string>& flag, const char* env,
                      const fs::path& cwd) {
  if (flag) return Chosen(*flag, "--tock-dir");
  if (env && *env) return Chosen(env, "TOCK_DIR");
  fs::path start = fs::absolute(cwd).lexically_normal();
  for (fs::path dir = start;; dir = dir.parent_path()) {
    if (IsTockRoot(dir)) return {dir, "the current directory"};
    if (dir == dir.parent_path()) break;
  }
  throw Error(ErrorCategory::kUsage,
              "no Tock checkout found: neither " + start.string() +
                  " nor any directory above it has kernel/, capsules/, boards/ and Cargo.toml",
              {}, kRootHint);
}

BoardCrate LocateBoardCrate(const TockTree& tree, const config::HardwareBoard& board) {
  BoardCrate crate;
  crate.board_dir = (tree.root / board.tock_path).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(crate.board_dir, ec)) {
    ErrorContext ctx;
    ctx.file = crate.board_dir.string();
    throw Error(ErrorCategory::kIo,
                "board directory " + board.tock_path + " of " + board.name + " is missing in " +
                    tree.root.string(),
                ctx,
                "check tock_path in the board JSON, or update the checkout (git -C " +
                    tree.root.string() + " pull)");
  }
  crate.package = ReadPackageName(crate.board_dir / "Cargo.toml", tree.root);
  if (crate.package != board.package)
    crate.warnings.push_back(board.tock_path + "/Cargo.toml names package " + crate.package +
                             " but the board JSON says " + board.package + "; the ELF is named " +
                             crate.package);
  ResolveTarget(crate, tree.root, board);
  return crate;
}

std::optional<std::string> TomlString(std::string_view text, std::string_view section,
                                      std::string_view key) {
  std::string_view current;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.starts_with("[")) {
      size_t close = line.find(']');
      current = close == std::string_view::npos ? line.substr(1) : Trim(line.substr(1, close - 1));
      continue;
    }
    size_t eq = line.find('=');
    if (current != section || eq == std::string_view::npos) continue;
    if (Trim(line.substr(0, eq)) == key) return QuotedValue(Trim(line.substr(eq + 1)));
  }
  return std::nullopt;
}

std::string PathInTree(const std::filesystem::path& path, const std::filesystem::path& root) {
  return path.lexically_relative(root).string();
}

}  // namespace tockctl::kernel
