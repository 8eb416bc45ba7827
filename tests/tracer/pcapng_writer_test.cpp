#include "tracer/pcapng_writer.h"

#include <gtest/gtest.h>

#include "tests/support/manual_clock.h"
#include "tests/support/test_support.h"
#include "tests/trace_encoding/sample_stream.h"
#include "tests/tracer/pcapng_reader.h"
#include "tests/tracer/trace_test_util.h"
#include "tracer/trace_session.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::ParseCapture;

class MemoryOutput : public BlockOutput {
 public:
  void Write(std::span<const uint8_t> b) override {
    bytes.insert(bytes.end(), b.begin(), b.end());
    writes.push_back(b.size());
    // Every write must end on a block boundary: the bytes so far parse completely.
    ParseCapture(bytes);
  }
  std::vector<uint8_t> bytes;
  std::vector<size_t> writes;
};

TEST(PcapngWriter, WritesSectionInterfaceAndPacket) {
  MemoryOutput out;
  PcapngWriter w(out, "tockctl test");
  PcapngInterface eth{1, "eth0", "the ethernet", 0};
  EXPECT_EQ(w.AddInterface(eth), 0u);
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5};
  w.WritePacket(0, 0x0000000100000002ull, data, 60, kEpbInbound);
  EXPECT_TRUE(out.bytes.empty());
  w.Flush();
  ASSERT_EQ(out.writes.size(), 1u);
  const auto cap = ParseCapture(out.bytes);
  EXPECT_EQ(cap.application, "tockctl test");
  ASSERT_EQ(cap.interfaces.size(), 1u);
  EXPECT_EQ(cap.interfaces[0].linktype, 1);
  EXPECT_EQ(cap.interfaces[0].Option(2), "eth0");
  EXPECT_EQ(cap.interfaces[0].Option(3), "the ethernet");
  EXPECT_EQ(cap.interfaces[0].options.at(9), std::vector<uint8_t>{9});
  ASSERT_EQ(cap.packets.size(), 1u);
  EXPECT_EQ(cap.packets[0].timestamp, 0x0000000100000002ull);
  EXPECT_EQ(cap.packets[0].orig_len, 60u);
  EXPECT_EQ(cap.packets[0].data, data);
  EXPECT_EQ(cap.packets[0].options.at(2), (std::vector<uint8_t>{1, 0, 0, 0}));
  EXPECT_EQ(cap.block_types, (std::vector<uint32_t>{kShbType, kIdbType, kEpbType}));
}

TEST(PcapngWriter, FlushesBySizeWithWholeBlocks) {
  MemoryOutput out;
  PcapngWriter w(out, "t");
  w.AddInterface({147, "u", "", 0});
  std::vector<uint8_t> data(1001, 0xAB);
  for (int i = 0; i < 1000; ++i) w.WritePacket(0, static_cast<uint64_t>(i), data, 1001);
  EXPECT_GE(out.writes.size(), 2u);  // MemoryOutput::Write checked each write ends on a block
  w.Flush();
  EXPECT_EQ(ParseCapture(out.bytes).packets.size(), 1000u);
}

TEST(PcapngWriter, FileOutputReportsUnwritablePathWhole) {
  try {
    FileBlockOutput out("/nonexistent-dir/x.pcapng");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "/nonexistent-dir/x.pcapng: cannot create capture file: No such file or directory; "
              "check that the directory exists and is writable");
  }
}

struct CaptureRun {
  MemoryOutput out;
  testing::ParsedCapture cap;
};

void RunToCapture(const std::vector<uint8_t>& wire, CaptureRun& run) {
  PcapngWriter writer(run.out, "tockctl test");
  PcapngSink sink(writer);
  ::tockctl::testing::ManualClock clock;
  TraceSession session({}, clock, {&sink});
  testing::MemorySource source;
  source.AddData(wire, 1000);
  std::atomic<bool> stop{false};
  EXPECT_EQ(session.Run(source, stop), SessionEnd::kEndOfStream);
  run.cap = ParseCapture(run.out.bytes);
}

TEST(PcapngSink, InterfacesFromHelloAndUserInterfaceForRecords) {
  SampleStream s;
  std::vector<uint8_t> wire;
  s.AppendPreamble(wire);
  s.AppendUdpTx(wire, 100);
  s.AppendRadioRx(wire);
  s.AppendIpcExchange(wire);
  CaptureRun run;
  RunToCapture(wire, run);
  const auto& cap = run.cap;
  ASSERT_EQ(cap.interfaces.size(), 3u);
  EXPECT_EQ(cap.interfaces[0].linktype, 147);
  EXPECT_EQ(cap.interfaces[0].Option(2), "tock-trace");
  EXPECT_EQ(cap.interfaces[1].linktype, 1);
  EXPECT_EQ(cap.interfaces[1].Option(2), "eth0");
  EXPECT_EQ(cap.interfaces[1].Option(3),
            "Tock qemu_rv32_virt eth0 (ethernet, mtu 1500, 02:00:00:00:00:01)");
  EXPECT_EQ(cap.interfaces[2].linktype, 230);
  EXPECT_EQ(cap.interfaces[2].Option(2), "wpan0");
  for (const auto& i : cap.interfaces) EXPECT_EQ(i.options.at(9), std::vector<uint8_t>{9});
  // 9 preamble records + tx + rx + deliver + 5 IPC records.
  ASSERT_EQ(cap.packets.size(), 17u);
  const auto& tx = cap.packets[9];
  EXPECT_EQ(tx.iface, 1u);
  EXPECT_EQ(tx.data.size(), 14u + 40u + 8u + 100u);
  EXPECT_EQ(tx.orig_len, tx.data.size());
  EXPECT_EQ(tx.options.at(2), (std::vector<uint8_t>{2, 0, 0, 0}));
  EXPECT_EQ(cap.packets[10].iface, 2u);
  EXPECT_EQ(cap.packets[11].iface, 0u);                         // NET_DELIVER as a raw record
  EXPECT_EQ(cap.packets[11].data[1], 0x45);                     // header type byte
  EXPECT_EQ(cap.packets[11].data.size(), 16u + 10u);            // header + body, no CRC
  EXPECT_EQ(cap.packets[0].timestamp, 1700000000000000000ull);  // HELLO anchors host time
}

TEST(PcapngSink, TruncatedFrameKeepsOriginalLength) {
  std::vector<uint8_t> wire;
  SampleStream s;
  s.AppendPreamble(wire);
  const std::vector<uint8_t> part(100, 0x11);
  RecordHeader h;
  h.type = RecordType::kNetRx;
  h.seq = 9;
  h.flags = kFlagTruncated;
  AppendRecordFrame(h, NetFrame{0, kKernelPid, 1514, part}, wire);
  CaptureRun run;
  RunToCapture(wire, run);
  const auto& p = run.cap.packets.back();
  EXPECT_EQ(p.iface, 1u);
  EXPECT_EQ(p.data.size(), 100u);
  EXPECT_EQ(p.orig_len, 1514u);
}

TEST(PcapngSink, ChangedInterfaceTableAddsInterfaces) {
  std::vector<uint8_t> wire;
  SampleStream s;
  s.AppendPreamble(wire);
  s.AppendPreamble(wire);  // same table again: no new interfaces
  InterfaceInfo can{0, 4, 227, 16, 0, {}, "can0"};
  const InterfaceInfo ifaces[] = {can};
  RecordHeader h;
  h.seq = 0;  // device restarted
  AppendRecordFrame(h, Hello{1000000, 2048, "nucleo_f429zi", "2.2", ifaces}, wire);
  const std::vector<uint8_t> can_frame(16, 0x22);
  h.type = RecordType::kNetRx;
  h.seq = 1;
  AppendRecordFrame(h, NetFrame{0, kKernelPid, 16, can_frame}, wire);
  CaptureRun run;
  RunToCapture(wire, run);
  ASSERT_EQ(run.cap.interfaces.size(), 4u);
  EXPECT_EQ(run.cap.interfaces[3].linktype, 227);
  EXPECT_EQ(run.cap.interfaces[3].Option(2), "can0");
  EXPECT_EQ(run.cap.packets.back().iface, 3u);
}

TEST(PcapngSink, FileIsValidAfterEveryBatch) {
  SampleStream s;
  std::vector<uint8_t> wire;
  s.AppendPreamble(wire);
  s.AppendMix(wire, 200000);
  CaptureRun run;
  RunToCapture(wire, run);  // MemoryOutput parsed the file after each of its writes
  EXPECT_GT(run.out.writes.size(), 100u);
  EXPECT_EQ(run.cap.packets.size(), s.records());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
