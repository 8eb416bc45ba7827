// A main() for the fuzz targets in builds without libFuzzer (gcc): runs every file named on the
// command line, or found in a directory named there, through LLVMFuzzerTestOneInput once.
//   fuzz_replay_elf tests/fuzz/elf --optional tests/fuzz/regressions/elf
// A path after --optional may be missing. Exits non-zero if a required path is missing or no
// input was found; a crashing input crashes this program (ctest shows which file it was).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> InputsIn(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path)) {
    for (const auto& entry : std::filesystem::directory_iterator(path))
      if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  return files;
}

bool Run(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", file.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replaying %s (%zu bytes)\n", file.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t ran = 0;
  bool optional = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--optional") {
      optional = true;
      continue;
    }
    std::filesystem::path path(arg);
    bool missing = !std::filesystem::exists(path);
    if (missing && !optional) {
      std::fprintf(stderr, "no such file or directory: %s\n", arg.c_str());
      return 1;
    }
    optional = false;
    if (missing) continue;
    for (const auto& file : InputsIn(path)) {
      if (!Run(file)) return 1;
      ++ran;
    }
  }
  std::fprintf(stderr, "%zu inputs replayed without a finding\n", ran);
  return ran > 0 ? 0 : 1;
}
