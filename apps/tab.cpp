#include "apps/tab.h"

#include <cstring>

#include "apps/tar_archive.h"
#include "common/error.h"
#include "common/file_io.h"

namespace tockctl::apps {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::optional<uint64_t> HexPart(const std::string& part) {
  if (part.size() < 3 || part.size() > 18 || part.compare(0, 2, "0x") != 0) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 2; i < part.size(); ++i) {
    const char c = part[i];
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return v;
}

bool LooksLikeTar(std::span<const uint8_t> data) {
  return data.size() >= 512 && std::memcmp(data.data() + 257, "ustar", 5) == 0;
}

}  // namespace

TabTbf TabTbfName(const std::string& file) {
  TabTbf t;
  t.file = file;
  const std::string base = BaseName(file);
  t.arch = base.substr(0, base.find('.'));
  std::vector<std::string> parts;
  for (size_t start = 0, dot = 0; dot != std::string::npos; start = dot + 1) {
    dot = base.find('.', start);
    parts.push_back(base.substr(start, dot == std::string::npos ? dot : dot - start));
  }
  if (parts.size() == 4) {
    auto flash = HexPart(parts[1]);
    auto ram = HexPart(parts[2]);
    if (flash && ram) {
      t.name_flash = flash;
      t.name_ram = ram;
    }
  }
  return t;
}

std::string AppBundle::Name() const {
  if (metadata && !metadata->name.empty()) return metadata->name;
  for (const TabTbf& t : tbfs)
    if (t.tbf.header.package_name) return *t.tbf.header.package_name;
  std::string base = BaseName(path);
  return base.substr(0, base.find('.'));
}

AppBundle ReadTab(std::span<const uint8_t> data, const std::string& what) {
  AppBundle bundle;
  bundle.path = what;
  bundle.is_tab = true;
  for (TarEntry& e : ReadTar(data, what)) {
    const std::string base = BaseName(e.name);
    const std::string member = what + ": " + e.name;
    if (base == "metadata.toml") {
      bundle.metadata = ParseTabMetadata(std::string(e.data.begin(), e.data.end()), member);
    } else if (EndsWith(base, ".tbf") || EndsWith(base, ".bin")) {
      TabTbf t = TabTbfName(e.name);
      t.tbf = ParseTbf(e.data, member);
      bundle.tbfs.push_back(std::move(t));
    } else {
      bundle.other_files.push_back(e.name);
    }
  }
  if (bundle.tbfs.empty()) {
    ErrorContext ctx;
    ctx.file = what;
    throw Error(ErrorCategory::kInvalidInput, "the archive holds no .tbf file", ctx,
                "a TAB holds metadata.toml and one ARCH.tbf per architecture; build it with "
                "elf2tab");
  }
  return bundle;
}

AppBundle ReadAppBundle(std::span<const uint8_t> data, const std::string& what) {
  if (LooksLikeTar(data)) return ReadTab(data, what);
  AppBundle bundle;
  bundle.path = what;
  TabTbf t;
  t.file = BaseName(what);
  t.tbf = ParseTbf(data, what);
  if (t.tbf.bytes.size() != data.size()) {
    ErrorContext ctx;
    ctx.file = what;
    ctx.offset = t.tbf.bytes.size();
    throw Error(
        ErrorCategory::kInvalidInput,
        std::to_string(data.size() - t.tbf.bytes.size()) + " bytes follow the TBF's total_size",
        ctx, "give one TBF per file, or a TAB");
  }
  bundle.tbfs.push_back(std::move(t));
  return bundle;
}

AppBundle LoadAppBundle(const std::filesystem::path& path) {
  const std::vector<uint8_t> data = ReadBinaryFile(path);
  return ReadAppBundle(data, path.string());
}

std::vector<uint8_t> BuildTab(
    const TabMetadata& metadata,
    const std::vector<std::pair<std::string, std::vector<uint8_t>>>& tbfs) {
  std::vector<TarEntry> entries;
  const std::string toml = WriteTabMetadata(metadata);
  entries.push_back({"metadata.toml", std::vector<uint8_t>(toml.begin(), toml.end()), 0});
  for (const auto& [name, bytes] : tbfs) entries.push_back({name, bytes, 0});
  return WriteTar(entries);
}

}  // namespace tockctl::apps
