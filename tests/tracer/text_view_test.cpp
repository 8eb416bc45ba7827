#include "tracer/text_view.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"
#include "tests/tracer/trace_test_util.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

// Renders every record of a wire stream as text lines, `width` columns wide (0: full layout).
class TextCollector : public RecordHandler {
 public:
  explicit TextCollector(size_t width) : width_(width) {}
  void OnRecord(const Record& record, bool seq_reset) override {
    const RecordInfo info = context.Observe(record, seq_reset, 0);
    std::string line;
    AppendRecordText(record, info, context, line, width_);
    lines.push_back(line);
  }
  TraceContext context;
  std::vector<std::string> lines;

 private:
  size_t width_;
};

std::vector<std::string> Render(const std::vector<uint8_t>& wire, size_t width = 0) {
  TextCollector c(width);
  TraceDecoder d(c);
  d.Feed(wire);
  d.Finish();
  return c.lines;
}

TEST(TextView, FormatsTimesAndDurations) {
  EXPECT_EQ(FormatSeconds(0), "0.000000");
  EXPECT_EQ(FormatSeconds(1234567890), "1.234567");
  EXPECT_EQ(FormatSeconds(3600000000000ull), "3600.000000");
  EXPECT_EQ(FormatDuration(850), "850 ns");
  EXPECT_EQ(FormatDuration(12345), "12.3 us");
  EXPECT_EQ(FormatDuration(4560000), "4.56 ms");
  EXPECT_EQ(FormatDuration(1200000000), "1.20 s");
}

TEST(TextView, RawTicksBeforeHelloAndSecondsAfter) {
  std::vector<uint8_t> wire = testing::SendFrame(1);
  InterfaceInfo eth{0, 1, 1, 1500, 6, {2, 0, 0, 0, 0, 1}, "eth0"};
  const InterfaceInfo ifaces[] = {eth};
  testing::Append(
      wire, testing::Frame(RecordType::kHello, 2, 2000000, Hello{1000000, 2048, "b", "k", ifaces}));
  testing::Append(wire, testing::SendFrame(3));
  const auto lines = Render(wire);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(0, 14), "         1001t");
  EXPECT_EQ(lines[2].substr(0, 14), "      0.001003");
}

TEST(TextView, UnknownEnumsKernelPidAndControlCharacters) {
  std::vector<uint8_t> wire;
  testing::Append(wire, testing::Frame(RecordType::kLog, 1, 0, Log{9, "two\nlines\x1b[31m"}));
  testing::Append(
      wire, testing::Frame(RecordType::kNetDrop, 2, 0, NetDrop{7, 1, kKernelPid, 42, 60, {}}));
  const auto lines = Render(wire);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(
      lines[0],
      "            0t  log            9                                                       "
      "two.lines.[31m\n");
  EXPECT_EQ(
      lines[1],
      "            0t  net_drop       if#7 tx                                             60  "
      "reason 42\n");
}

TEST(TextView, EveryGoldenRecordIsOneAlignedLine) {
  std::ifstream in(tockctl::testing::SourceDir() / "tests/fixtures/trace/stress.bin",
                   std::ios::binary);
  std::vector<uint8_t> wire((std::istreambuf_iterator<char>(in)), {});
  ASSERT_FALSE(wire.empty());
  const auto lines = Render(wire);
  EXPECT_EQ(lines.size(), 3006u);
  for (const auto& line : lines) {
    ASSERT_EQ(line.back(), '\n');
    ASSERT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    for (char c : line.substr(0, line.size() - 1)) {
      ASSERT_GE(static_cast<unsigned char>(c), 0x20u) << line;
    }
    ASSERT_EQ(line.substr(14, 2), "  ") << line;
    const std::string kind = line.substr(16, line.find(' ', 16) - 16);
    ASSERT_NE(kind, "") << line;
  }
}

size_t Columns(const std::string& line) {
  return static_cast<size_t>(std::count_if(line.begin(), line.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Issue 14 item 19: on an 80-column terminal every record is one line of at most 80 columns.
TEST(TextView, RecordsFitAnEightyColumnTerminalOneLineEach) {
  std::ifstream in(tockctl::testing::SourceDir() / "tests/fixtures/trace/stress.bin",
                   std::ios::binary);
  std::vector<uint8_t> wire((std::istreambuf_iterator<char>(in)), {});
  const auto lines = Render(wire, 80);
  ASSERT_EQ(lines.size(), 3006u);
  size_t cut = 0;
  for (const auto& line : lines) {
    ASSERT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    ASSERT_LE(Columns(line) - 1, 80u) << line;
    ASSERT_EQ(line.substr(10, 1), " ") << line;
    if (line.find("\u2026") != std::string::npos) ++cut;
  }
  EXPECT_GT(cut, 0u);
  EXPECT_LE(Columns(TextHeader(80)) - 1, 80u);
  EXPECT_EQ(TextHeader(80),
            "   TIME(s) KIND           WHO                         BYTES DETAILS\n");
}

TEST(TextView, FitWidthCutsAtACharacterWithAnEllipsis) {
  std::string s = "ab\u00e9cdef";
  FitWidth(s, 4);
  EXPECT_EQ(s, "ab\u00e9\u2026");
  std::string exact = "abcd";
  FitWidth(exact, 4);
  EXPECT_EQ(exact, "abcd");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
