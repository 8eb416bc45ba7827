#include "tracer/trace_statistics.h"

#include <gtest/gtest.h>

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

Record Message(RecordType type, uint16_t service, uint32_t len, uint8_t mode) {
  Record r;
  r.header.type = type;
  r.body = IpcMessage{1, 2, service, 1, 1, len, mode};
  return r;
}

TEST(TraceStatistics, CountsCopyAndSharedPerService) {
  TraceStatistics stats;
  stats.Add(Message(RecordType::kIpcSend, 3, 16, 0), {});
  stats.Add(Message(RecordType::kIpcSend, 3, 4096, 1), {});
  stats.Add(Message(RecordType::kIpcRecv, 3, 4096, 1), {});
  const ServiceStats& s = stats.services().at(3);
  EXPECT_EQ(s.messages, 2u);
  EXPECT_EQ(s.bytes, 4112u);
  EXPECT_EQ(s.copy_messages, 1u);
  EXPECT_EQ(s.copy_bytes, 16u);
  EXPECT_EQ(s.shared_messages, 1u);
  EXPECT_EQ(s.shared_bytes, 4096u);
  EXPECT_EQ(s.received, 1u);
}

TEST(TraceStatistics, RpcLatencyAndErrors) {
  TraceStatistics stats;
  Record ret;
  ret.header.type = RecordType::kRpcReturn;
  ret.body = RpcReturn{1, 2, 5, 3, 1, 8, -4};
  RecordInfo info;
  info.rpc_latency_ns = 140000;
  stats.Add(ret, info);
  info.rpc_latency_ns = 60000;
  std::get<RpcReturn>(ret.body).status = 0;
  stats.Add(ret, info);
  const ServiceStats& s = stats.services().at(5);
  EXPECT_EQ(s.rpc_returns, 2u);
  EXPECT_EQ(s.rpc_errors, 1u);
  const LatencySummary l = s.rpc_latency_ns.Summarize();
  EXPECT_EQ(l.min, 60000u);
  EXPECT_EQ(l.max, 140000u);
}

TEST(TraceStatistics, DropsByReasonPerInterface) {
  TraceStatistics stats;
  Record drop;
  drop.header.type = RecordType::kNetDrop;
  drop.body = NetDrop{1, 0, kKernelPid, 0, 60, {}};
  stats.Add(drop, {});
  stats.Add(drop, {});
  std::get<NetDrop>(drop.body).reason = 4;
  stats.Add(drop, {});
  const InterfaceStats& i = stats.interfaces().at(1);
  EXPECT_EQ(i.drops, 3u);
  EXPECT_EQ(i.drop_bytes, 180u);
  EXPECT_EQ(i.drops_by_reason.at(0), 2u);
  EXPECT_EQ(i.drops_by_reason.at(4), 1u);
}

TEST(TraceStatistics, ServiceRowsAreBounded) {
  TraceStatistics stats;
  for (uint32_t id = 0; id < 3000; ++id) {
    stats.Add(Message(RecordType::kIpcSend, static_cast<uint16_t>(id), 10, 0), {});
  }
  EXPECT_EQ(stats.services().size(), TraceStatistics::kMaxServices);
  EXPECT_EQ(stats.other_services().messages, 3000u - TraceStatistics::kMaxServices);
  const auto j = stats.RenderJson(DecoderStats{}, TraceContext{});
  EXPECT_EQ(j["other_services"]["messages"], 3000u - TraceStatistics::kMaxServices);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
