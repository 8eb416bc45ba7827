#include "tracer/replay_source.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_support.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::CountingBytes;
using ::tockctl::testing::ManualClock;
using ::tockctl::testing::TempDir;

std::string AsString(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

TEST(ReplaySourceTest, ReadsWholeFileInBoundedChunksThenEnds) {
  TempDir dir;
  auto bytes = CountingBytes(300'000, 7);
  auto path = dir.Write("demo.raw", AsString(bytes));
  ReplaySource source(ReplayOptions{.path = path, .chunk_size = 4096});
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(100'000);
  ReadResult r;
  while ((r = source.Read(buf, milliseconds(0))).status == ReadStatus::kData) {
    EXPECT_LE(r.bytes, 4096u);
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(r.bytes));
  }
  EXPECT_EQ(r.status, ReadStatus::kEnd);
  EXPECT_EQ(r.detail, "end of replay " + path.string() + " (300000 bytes)");
  EXPECT_EQ(got, bytes);
  EXPECT_EQ(source.Read(buf, milliseconds(0)).status, ReadStatus::kEnd);
}

TEST(ReplaySourceTest, EmptyFileEndsAtOnce) {
  TempDir dir;
  ReplaySource source(ReplayOptions{.path = dir.Write("empty.raw", "")});
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(source.Read(buf, milliseconds(0)).status, ReadStatus::kEnd);
}

TEST(ReplaySourceTest, MissingFileIsAnIoErrorNamingIt) {
  TempDir dir;
  auto path = dir.path() / "nope.raw";
  try {
    ReplaySource source(ReplayOptions{.path = path});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
    EXPECT_EQ(e.Describe(), path.string() + ": cannot read replay file " + path.string() +
                                ": No such file or directory");
  }
}

TEST(ReplaySourceTest, DirectoryIsRefused) {
  TempDir dir;
  try {
    ReplaySource source(ReplayOptions{.path = dir.path()});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "cannot read replay file " + dir.path().string() + ": it is a directory");
  }
}

// At 9600 baud (8N1) a UART sends 960 bytes per second: 9.6 bytes every 10 ms.
TEST(ReplaySourceTest, PacingFollowsTheBaudRate) {
  TempDir dir;
  auto bytes = CountingBytes(2000);
  ManualClock clock;
  ReplaySource source(ReplayOptions{.path = dir.Write("p.raw", AsString(bytes)), .pace_baud = 9600},
                      clock);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(source.Read(buf, milliseconds(0)).status, ReadStatus::kTimeout);
  clock.Advance(milliseconds(10));
  ReadResult r = source.Read(buf, milliseconds(0));
  ASSERT_EQ(r.status, ReadStatus::kData);
  EXPECT_EQ(r.bytes, 9u);
  clock.Advance(milliseconds(990));
  r = source.Read(buf, milliseconds(0));
  EXPECT_EQ(r.bytes, 960u - 9u);
  EXPECT_EQ(source.Read(buf, milliseconds(0)).status, ReadStatus::kTimeout);
}

TEST(ReplaySourceTest, PacedReadWaitsForTheNextByteWithinTheTimeout) {
  TempDir dir;
  ManualClock clock;
  auto start = clock.Now();
  ReplaySource source(
      ReplayOptions{.path = dir.Write("p.raw", "abc"), .pace_baud = 1000},  // 100 bytes/s
      clock);
  std::vector<uint8_t> buf(16);
  ReadResult r = source.Read(buf, milliseconds(500));
  ASSERT_EQ(r.status, ReadStatus::kData);
  EXPECT_EQ(r.bytes, 1u);
  EXPECT_EQ(clock.Now() - start, milliseconds(10));
  EXPECT_EQ(source.Read(buf, milliseconds(5)).status, ReadStatus::kTimeout);
  EXPECT_EQ(clock.Now() - start, milliseconds(15));
  EXPECT_EQ(source.Read(buf, milliseconds(500)).bytes, 1u);
  EXPECT_EQ(source.Read(buf, milliseconds(500)).bytes, 1u);
  EXPECT_EQ(source.Read(buf, milliseconds(500)).status, ReadStatus::kEnd);
  EXPECT_EQ(source.Describe(), "replay " + (dir.path() / "p.raw").string() + " @1000");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
