#include "flasher/gdb_rsp.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <deque>

#include "common/error.h"
#include "tests/flasher/fake_gdb_stub.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> NullLog() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_st>());
}

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// A scripted peer: returns canned bytes for each write, records what was written.
class ScriptedLink : public Link {
 public:
  std::deque<std::string> replies;  // one entry consumed per Write
  std::string written;
  std::string pending;
  void Write(std::span<const uint8_t> data) override {
    written.append(data.begin(), data.end());
    if (data.size() == 1 && (data[0] == '+' || data[0] == '-') && replies.empty()) return;
    if (!replies.empty()) {
      pending += replies.front();
      replies.pop_front();
    }
  }
  size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds) override {
    size_t n = std::min(buffer.size(), pending.size());
    std::copy(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n), buffer.begin());
    pending.erase(0, n);
    return n;
  }
  std::string Describe() const override { return "scripted"; }
};

TEST(GdbRspTest, CrcIsGdbsVariant) {
  // CRC-32/MPEG-2 check value: poly 0x04C11DB7, init 0xFFFFFFFF, not reflected, no final xor.
  EXPECT_EQ(GdbCrc32(Bytes("123456789")), 0x0376e6e7u);
  EXPECT_EQ(GdbCrc32({}), 0xffffffffu);
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
  EXPECT_EQ(GdbCrc32(data), testing::ReferenceCrc(data.data(), data.size()));
  uint32_t running = GdbCrc32(std::span<const uint8_t>(data).subspan(0, 400));
  EXPECT_EQ(GdbCrc32(std::span<const uint8_t>(data).subspan(400), running), GdbCrc32(data));
}

TEST(GdbRspTest, EscapesTheFourSpecialBytes) {
  std::vector<uint8_t> raw = {'a', '#', '$', '}', '*', 0x00, 0xff};
  std::string escaped = EscapeBinary(raw);
  EXPECT_EQ(escaped, std::string("a}\x03}\x04}]}\x0a") + std::string(1, '\0') + "\xff");
  EXPECT_EQ(UnescapeBinary(escaped), raw);
  EXPECT_THROW(UnescapeBinary("ab}"), Error);
}

TEST(GdbRspTest, FramesWithModulo256Checksum) {
  EXPECT_EQ(FramePacket("OK"), "$OK#9a");
  EXPECT_EQ(FramePacket(""), "$#00");
  EXPECT_EQ(FramePacket("qSupported"), "$qSupported#37");
}

TEST(GdbRspTest, ExpandsRunLengthEncoding) {
  EXPECT_EQ(ExpandRunLength("0* "), "0000");  // ' ' = 32 -> 3 more
  EXPECT_EQ(ExpandRunLength("ab*\"c"), "abbbbbbc");
  EXPECT_THROW(ExpandRunLength("*a"), Error);
  EXPECT_THROW(ExpandRunLength("a*"), Error);
}

TEST(GdbRspTest, HexHelpers) {
  EXPECT_EQ(ToHex(std::vector<uint8_t>{0x00, 0xab, 0x10}), "00ab10");
  EXPECT_EQ(FromHex("00AB10", "x"), (std::vector<uint8_t>{0x00, 0xab, 0x10}));
  try {
    FromHex("0g", "reply to read 0x80000000");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "reply to read 0x80000000 is not hex: \"0g\"");
  }
}

TEST(GdbRspTest, AckModeSendsAcksAndSkipsThem) {
  ScriptedLink link;
  link.replies = {"+$OK#9a"};
  GdbRspClient client(link, 100ms, NullLog());
  EXPECT_EQ(client.Request("QStartNoAckMode", "op"), "OK");
  EXPECT_EQ(link.written, "$QStartNoAckMode#b0+");
}

TEST(GdbRspTest, AckModeRetransmitsOnNakAndAsksForResendOnBadChecksum) {
  ScriptedLink link;
  link.replies = {"-", "+$OK#00", "$OK#9a"};
  GdbRspClient client(link, 100ms, NullLog());
  EXPECT_EQ(client.Request("g", "op"), "OK");
  EXPECT_EQ(link.written, "$g#67$g#67-+");
}

TEST(GdbRspTest, NoAckModeBadChecksumIsATransportError) {
  ScriptedLink link;
  link.replies = {"$OK#00"};
  GdbRspClient client(link, 100ms, NullLog());
  client.DisableAcks();
  try {
    client.Request("g", "read registers");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "reply with a bad checksum: \"OK\" (scripted: read registers)");
  }
}

TEST(GdbRspTest, ErrorRepliesAreDeviceErrorsWithTheCode) {
  ScriptedLink link;
  link.replies = {FramePacket("E0e")};
  GdbRspClient client(link, 100ms, NullLog());
  client.DisableAcks();
  try {
    client.Request("M80000000,1:00", "write 0x80000000");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
    EXPECT_EQ(e.Describe(), "the gdb server answered error 0e (scripted: write 0x80000000)");
  }
  link.replies = {FramePacket("E.flash locked")};
  try {
    client.Request("M80000000,1:00", "write 0x80000000");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "the gdb server answered error \"flash locked\" (scripted: write 0x80000000)");
  }
  // The server's text is escaped: messages stay on one line (found by fuzz/gdb_reply).
  link.replies = {FramePacket("E.flash\nlocked")};
  try {
    client.Request("M80000000,1:00", "write 0x80000000");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "the gdb server answered error \"flash\\x0alocked\" (scripted: write 0x80000000)");
  }
}

TEST(GdbRspTest, SilenceIsATimeout) {
  ScriptedLink link;
  GdbRspClient client(link, 20ms, NullLog());
  client.DisableAcks();
  try {
    client.Request("?", "halt reason");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "no reply from the gdb server within 20 ms (scripted: halt reason)");
  }
}

TEST(GdbRspTest, SkipsNotificationsAndExpandsRunLength) {
  ScriptedLink link;
  link.replies = {"%Stop:T05#00" + FramePacket("0* ")};
  GdbRspClient client(link, 100ms, NullLog());
  client.DisableAcks();
  EXPECT_EQ(client.Request("m0,2", "read"), "0000");
}

TEST(GdbRspTest, PipelineKeepsOrderAndWindow) {
  testing::FakeGdbStub stub({}, 0x1000, 64);
  GdbRspClient client(stub, 100ms, NullLog());
  std::vector<std::string> packets;
  for (int i = 0; i < 10; ++i)
    packets.push_back("M" + std::to_string(1000 + i) + ",1:0" + std::to_string(i));
  std::vector<size_t> seen;
  client.Pipeline(
      packets, 3, [](size_t) { return std::string("write"); },
      [&](size_t i, const std::string& reply) {
        EXPECT_EQ(reply, "OK");
        seen.push_back(i);
      });
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(stub.memory[9], 9);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
