// The golden vectors written by the Rust encoder (kernel/tock-trace) must decode identically here:
// same JSON lines byte for byte, same counters.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_io.h"
#include "tests/support/test_support.h"
#include "tests/tracer/trace_test_util.h"
#include "tracer/trace_statistics.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;

fs::path FixtureDir() { return tockctl::testing::SourceDir() / "tests/fixtures/trace"; }

std::vector<fs::path> Streams() {
  std::vector<fs::path> out;
  if (!fs::exists(FixtureDir())) return out;
  for (const auto& e : fs::directory_iterator(FixtureDir())) {
    if (e.path().extension() == ".bin") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

using ::tockctl::testing::Slurp;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Result {
  std::vector<std::string> lines;
  std::string counters;
};

Result Decode(const fs::path& bin, size_t chunk) {
  const std::string bytes = Slurp(bin);
  testing::JsonCollector sink;
  TraceDecoder decoder(sink);
  std::span<const uint8_t> all(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  for (size_t off = 0; off < all.size(); off += chunk) {
    decoder.Feed(all.subspan(off, std::min(chunk, all.size() - off)));
  }
  decoder.Finish();
  return {sink.lines, DecoderCountersJson(decoder.stats()).dump()};
}

// The other tests here loop over whatever is present, so a lost file must fail here.
TEST(GoldenVectors, FixturesArePresent) {
  std::vector<std::string> names;
  for (const fs::path& bin : Streams()) names.push_back(bin.stem().string());
  EXPECT_EQ(names, (std::vector<std::string>{"basic", "damaged", "mixed", "mixed_damaged",
                                             "overflow", "stress"}))
      << "in " << FixtureDir();
  for (const std::string& name : names) {
    for (const char* ext : {".jsonl", ".expect.json"}) {
      const fs::path file = FixtureDir() / (name + ext);
      EXPECT_TRUE(fs::is_regular_file(file) && fs::file_size(file) > 0)
          << file << " is missing or empty (written by kernel/tock-trace)";
    }
  }
}

TEST(GoldenVectors, DecodeIdenticallyWholeAndInPieces) {
  for (const fs::path& bin : Streams()) {
    fs::path stem = bin;
    stem.replace_extension();
    const auto expected_lines = Lines(Slurp(stem.string() + ".jsonl"));
    std::string expected_counters = Slurp(stem.string() + ".expect.json");
    while (!expected_counters.empty() && expected_counters.back() == '\n')
      expected_counters.pop_back();
    for (size_t chunk : {size_t{1} << 30, size_t{1}, size_t{7}, size_t{4096}}) {
      SCOPED_TRACE(bin.filename().string() + " in chunks of " + std::to_string(chunk));
      const Result got = Decode(bin, chunk);
      ASSERT_EQ(got.lines.size(), expected_lines.size());
      for (size_t i = 0; i < got.lines.size(); ++i) {
        ASSERT_EQ(got.lines[i], expected_lines[i]) << "line " << i + 1;
      }
      EXPECT_EQ(got.counters, expected_counters);
    }
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
