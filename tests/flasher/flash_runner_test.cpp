#include "flasher/flash_runner.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/error.h"
#include "tests/flasher/test_boards.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

// Records the calls the runner makes; verify reports a mismatch when told to.
class RecordingBackend : public FlashBackend {
 public:
  Capabilities caps;
  std::vector<std::string> calls;
  std::optional<uint64_t> mismatch_at;
  std::atomic<bool>* stop_during_write = nullptr;  ///< Set (as Ctrl-C would) in the first write.
  bool link_dies_in_write = false;
  bool refuse_erase = false;  ///< The device answers the first erase with an error.

  std::string name() const override { return "recording"; }
  Capabilities capabilities() const override { return caps; }
  void Connect(ProgressSink&) override { calls.push_back("connect"); }
  void Erase(uint64_t address, uint64_t length, ProgressSink&) override {
    if (refuse_erase)
      throw Error(ErrorCategory::kDeviceReported, "the device refused ERASE: INVALID_ADDRESS");
    calls.push_back("erase " + HexAddress(address) + " " + std::to_string(length));
  }
  void Write(const Segment& s, ProgressSink& p) override {
    if (stop_during_write != nullptr) stop_during_write->store(true);
    if (link_dies_in_write)
      throw Error(ErrorCategory::kTransport, "link failed: Connection reset by peer",
                  ErrorContext{{}, {}, {}, {}, {}, "127.0.0.1:1234", "write"});
    p.Advance(s.data.size() / 2);
    calls.push_back("write " + s.name);
  }
  VerifyResult Verify(const Segment& s, ProgressSink&) override {
    calls.push_back("verify " + s.name);
    if (mismatch_at) return {false, *mismatch_at, "read 0x00, expected 0x13"};
    return {};
  }
  std::vector<uint8_t> Read(uint64_t, uint64_t) override { return {}; }
  void Start(std::optional<uint64_t> entry) override {
    calls.push_back("start " + (entry ? HexAddress(*entry) : "reset"));
  }
  void Disconnect() override { calls.push_back("disconnect"); }
};

class CollectingSink : public ProgressSink {
 public:
  std::vector<std::string> events;
  void Begin(Phase p, uint64_t total) override {
    events.push_back(std::string("begin ") + PhaseName(p) + " " + std::to_string(total));
  }
  void Advance(uint64_t done) override { events.push_back("advance " + std::to_string(done)); }
  void End(Phase p) override { events.push_back(std::string("end ") + PhaseName(p)); }
  void Message(const std::string& text) override { events.push_back(text); }
};

struct Fixture {
  Image image;
  FlashPlan plan;
  RecordingBackend backend;
  Fixture(bool erase, PlanSteps steps = {}) {
    image.source = "k.elf";
    image.entry = 0x80000000;
    image.segments = {{0x80000000, std::vector<uint8_t>(100), "A"},
                      {0x80001000, std::vector<uint8_t>(20), "B"}};
    backend.caps.write = backend.caps.verify = backend.caps.start = true;
    backend.caps.erase = erase;
    PlanOptions options;
    options.steps = steps;
    plan = PlanFlash({{&image, FlashTarget::kKernel}}, testing::QemuBoard(), "recording",
                     backend.caps, options);
  }
};

TEST(FlashRunnerTest, RunsPhasesInOrderWithCumulativeProgress) {
  Fixture f(true);
  CollectingSink sink;
  FlashOutcome out = ExecutePlan(f.plan, f.backend, sink);
  EXPECT_EQ(
      f.backend.calls,
      (std::vector<std::string>{"connect", "erase 0x80000000 512", "erase 0x80001000 512",
                                "write A", "write B", "verify A", "verify B", "start 0x80000000"}));
  EXPECT_EQ(sink.events,
            (std::vector<std::string>{"begin erase 1024", "advance 512", "advance 1024",
                                      "end erase", "begin write 120", "advance 50", "advance 100",
                                      "advance 110", "advance 120", "end write", "begin verify 120",
                                      "advance 100", "advance 120", "end verify"}));
  EXPECT_TRUE(out.verified);
  EXPECT_TRUE(out.started);
  EXPECT_EQ(out.write.bytes, 120u);
}

TEST(FlashRunnerTest, NoStartDisconnectsAndNoVerifySkipsVerify) {
  PlanSteps steps;
  steps.verify = false;
  steps.start = false;
  Fixture f(false, steps);
  CollectingSink sink;
  FlashOutcome out = ExecutePlan(f.plan, f.backend, sink);
  EXPECT_EQ(f.backend.calls,
            (std::vector<std::string>{"connect", "write A", "write B", "disconnect"}));
  EXPECT_FALSE(out.verified);
  EXPECT_EQ(RenderSummary(f.plan, out).substr(0, 47),
            "Flashed 120 B to qemu_rv32_virt via recording i");
}

TEST(FlashRunnerTest, VerifyMismatchIsADeviceErrorNamingSegmentAndAddress) {
  Fixture f(false);
  f.backend.mismatch_at = 0x80000010;
  CollectingSink sink;
  try {
    ExecutePlan(f.plan, f.backend, sink);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
    EXPECT_EQ(e.Describe(),
              "verify failed: segment A differs from the image at 0x80000010 (read 0x00, expected "
              "0x13) (recording: verify); flash again; if it keeps failing the flash or the "
              "connection is faulty");
  }
}

std::string DescribeFailure(Fixture& f, const std::atomic<bool>* stop = nullptr) {
  CollectingSink sink;
  try {
    ExecutePlan(f.plan, f.backend, sink, SystemClock(), stop);
  } catch (const Error& e) {
    return std::string(CategoryName(e.category())) + ": " + e.Describe();
  }
  return "no error";
}

TEST(FlashRunnerTest, InterruptionMidWriteSaysTheImageIsPartial) {
  Fixture f(false);
  std::atomic<bool> stop{false};
  f.backend.stop_during_write = &stop;
  EXPECT_EQ(DescribeFailure(f, &stop),
            "interrupted: interrupted during write; the image on the device is partial (50 B of "
            "120 B written) and will not start: flash again");
  EXPECT_EQ(f.backend.calls, (std::vector<std::string>{"connect"}));  // nothing after the stop
}

TEST(FlashRunnerTest, InterruptionBeforeWritingLeavesTheDeviceUnchanged) {
  Fixture f(true);
  std::atomic<bool> stop{true};
  EXPECT_EQ(DescribeFailure(f, &stop),
            "interrupted: interrupted during connect; nothing was written; the device is "
            "unchanged");
  EXPECT_TRUE(f.backend.calls.empty());
}

TEST(FlashRunnerTest, ALinkFailureMidWriteNamesThePhaseAndThePartialImage) {
  Fixture f(false);
  f.backend.link_dies_in_write = true;
  EXPECT_EQ(DescribeFailure(f),
            "transport: link failed: Connection reset by peer (127.0.0.1:1234: write); the image "
            "on the device is partial (0 B of 120 B written) and will not "
            "start: flash again");
}

TEST(FlashRunnerTest, VerifyOnlyInterruptedWroteNothing) {
  PlanSteps steps;
  steps.write = false;
  Fixture f(false, steps);
  std::atomic<bool> stop{false};
  f.backend.stop_during_write = &stop;
  stop.store(true);
  EXPECT_EQ(DescribeFailure(f, &stop),
            "interrupted: interrupted during connect; nothing was written; the device is "
            "unchanged");
}

// A device that refuses the first erase reported nothing erased: the runner does not claim the
// old image is damaged (the PICOBOOT gadget's stall check found this wording).
TEST(FlashRunnerTest, ARefusedFirstEraseDoesNotClaimTheImageIsDamaged) {
  Fixture f(true);
  f.backend.refuse_erase = true;
  EXPECT_EQ(DescribeFailure(f),
            "device: the device refused ERASE: INVALID_ADDRESS; the device refused the first "
            "erase and reported nothing erased; check the old image with --verify-only before "
            "you rely on it");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
