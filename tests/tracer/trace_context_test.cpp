#include "tracer/trace_context.h"

#include <gtest/gtest.h>

#include <limits>

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

Record At(uint64_t ticks, RecordBody body, RecordType type) {
  Record r;
  r.header.type = type;
  r.header.ticks = ticks;
  r.body = body;
  return r;
}

Record HelloAt(uint64_t ticks, uint32_t tick_hz) {
  Hello h;
  h.tick_hz = tick_hz;
  return At(ticks, h, RecordType::kHello);
}

TEST(TraceContext, HostTimeFollowsDeviceTicksFromTheHelloAnchor) {
  TraceContext context;
  context.Observe(HelloAt(1000, 1'000'000), false, 5'000'000'000);
  const RecordInfo info = context.Observe(At(3000, Log{}, RecordType::kLog), false, 9);
  EXPECT_EQ(info.time.device_ns, 3'000'000u);
  EXPECT_EQ(info.time.host_ns, 5'002'000'000);
}

TEST(TraceContext, HostTimeSaturatesForTicksFarFromTheAnchor) {
  // Found by fuzz/trace_record: the host time used to overflow (undefined behaviour).
  constexpr int64_t kNow = 1'700'000'000'000'000'000;
  TraceContext context;
  context.Observe(HelloAt(0, 1), false, kNow);
  const uint64_t far = uint64_t{1} << 62;  // 2^62 s after the anchor
  EXPECT_EQ(
      context.Observe(At(far / 1'000'000'000 * 3, Log{}, RecordType::kLog), false, 0).time.host_ns,
      std::numeric_limits<int64_t>::max());

  TraceContext late;
  late.Observe(HelloAt(far / 1'000'000'000 * 3, 1), false, -kNow);
  EXPECT_EQ(late.Observe(At(0, Log{}, RecordType::kLog), false, 0).time.host_ns,
            std::numeric_limits<int64_t>::min());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
