#include "flasher/progress.h"

#include <gtest/gtest.h>

#include "tests/support/manual_clock.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace std::chrono_literals;
using ::tockctl::testing::ManualClock;

TEST(ProgressTest, FormatsBytesRatesAndDurations) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(1048576), "1.00 MiB");
  EXPECT_EQ(FormatRate(2.5 * 1048576), "2.50 MiB/s");
  EXPECT_EQ(FormatRate(11520), "11.2 KiB/s");
  EXPECT_EQ(FormatDuration(0.3125), "0.31 s");
  EXPECT_EQ(FormatDuration(125), "2m05s");
}

TEST(ProgressTest, BarShowsBytesRateAndEta) {
  ProgressSnapshot s{Phase::kWrite, 524288, 1048576, 0.25, 2097152, 0.25};
  EXPECT_EQ(RenderBar(s, 10), "write   [#####-----]  512.0 KiB/1.00 MiB  2.00 MiB/s  ETA 0.25 s");
  EXPECT_EQ(RenderPhaseDone(s), "write   512.0 KiB in 0.25 s (2.00 MiB/s)");
}

TEST(ProgressTest, TerminalBarIsRedrawnInPlaceAndThrottled) {
  ManualClock clock;
  std::string out;
  ProgressPrinter p(
      ProgressStyle::kBar, [&](const std::string& s) { out += s; }, clock, 100ms, 4);
  p.Begin(Phase::kVerify, 4096);
  clock.Advance(50ms);
  p.Advance(1024);  // throttled away
  clock.Advance(50ms);
  p.Advance(2048);
  clock.Advance(100ms);
  p.Advance(4096);
  p.End(Phase::kVerify);
  EXPECT_EQ(out,
            "\rverify  [----]  0 B/4.0 KiB\033[K"
            "\rverify  [##--]  2.0 KiB/4.0 KiB  20.0 KiB/s  ETA 0.10 s\033[K"
            "\rverify  [####]  4.0 KiB/4.0 KiB  20.0 KiB/s  ETA 0.00 s\033[K"
            "\r\033[Kverify  4.0 KiB in 0.20 s (20.0 KiB/s)\n");
}

TEST(ProgressTest, MessagesClearAndRedrawTheBar) {
  ManualClock clock;
  std::string out;
  ProgressPrinter p(
      ProgressStyle::kBar, [&](const std::string& s) { out += s; }, clock, 100ms, 2);
  p.Begin(Phase::kWrite, 10);
  p.Message("hello");
  EXPECT_EQ(out, "\rwrite   [--]  0 B/10 B\033[K\r\033[Khello\n\rwrite   [--]  0 B/10 B\033[K");
}

TEST(ProgressTest, PlainLinesOnlyAtPhaseEnds) {
  ManualClock clock;
  std::string out;
  ProgressPrinter p(
      ProgressStyle::kLines, [&](const std::string& s) { out += s; }, clock);
  p.Begin(Phase::kWrite, 2048);
  clock.Advance(500ms);
  p.Advance(2048);
  p.End(Phase::kWrite);
  p.Message("started");
  EXPECT_EQ(out, "write   2.0 KiB in 0.50 s (4.0 KiB/s)\nstarted\n");
}

TEST(ProgressTest, JsonEventsOnePerLine) {
  ManualClock clock;
  std::string out;
  ProgressPrinter p(
      ProgressStyle::kJson, [&](const std::string& s) { out += s; }, clock, 100ms);
  p.Begin(Phase::kWrite, 1000);
  clock.Advance(200ms);
  p.Advance(1000);
  p.End(Phase::kWrite);
  EXPECT_EQ(
      out,
      "{\"event\":\"progress\",\"phase\":\"write\",\"done\":0,\"total\":1000,\"seconds\":0.0,"
      "\"rate\":0}\n"
      "{\"event\":\"progress\",\"phase\":\"write\",\"done\":1000,\"total\":1000,\"seconds\":0.2,"
      "\"rate\":5000}\n"
      "{\"event\":\"phase\",\"phase\":\"write\",\"done\":1000,\"total\":1000,\"seconds\":0.2,"
      "\"rate\":5000}\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
