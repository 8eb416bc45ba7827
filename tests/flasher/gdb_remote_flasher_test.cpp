#include "flasher/gdb_remote_flasher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"
#include "flasher/progress.h"
#include "tests/flasher/fake_gdb_stub.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::FakeGdbStub;
using testing::FakeStubConfig;

constexpr uint64_t kBase = 0x80000000;

std::shared_ptr<spdlog::logger> NullLog() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_st>());
}

// A Link that forwards to a stub owned by the test (the flasher owns and destroys its link).
class BorrowedLink : public Link {
 public:
  explicit BorrowedLink(Link& inner) : inner_(inner) {}
  void Write(std::span<const uint8_t> d) override { inner_.Write(d); }
  size_t Read(std::span<uint8_t> b, std::chrono::milliseconds t) override {
    return inner_.Read(b, t);
  }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  Link& inner_;
};

GdbRemoteFlasher FlasherFor(FakeGdbStub& stub, GdbRegisterLayout layout = {32, 4}) {
  GdbFlasherOptions options;
  options.layout = layout;
  options.timeout = std::chrono::milliseconds(200);
  return GdbRemoteFlasher([&stub] { return std::make_unique<BorrowedLink>(stub); }, options,
                          NullLog());
}

// Data that contains every byte value, so escaping is exercised in every packet.
Segment Pattern(size_t n, uint64_t address = kBase) {
  Segment s{address, std::vector<uint8_t>(n), "PT_LOAD[0]"};
  for (size_t i = 0; i < n; ++i) s.data[i] = static_cast<uint8_t>(i * 7 + i / 256);
  return s;
}

size_t CountPrefix(const std::vector<std::string>& packets, const std::string& prefix) {
  size_t n = 0;
  for (const auto& p : packets) n += p.rfind(prefix, 0) == 0;
  return n;
}

TEST(GdbRemoteFlasherTest, WritesWithEscapedBinaryXWithinPacketSize) {
  FakeGdbStub stub({}, kBase, 0x10000);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  EXPECT_TRUE(flasher.features().no_ack_mode);
  EXPECT_EQ(flasher.features().packet_size, 0x1000u);
  EXPECT_EQ(flasher.features().architecture, "riscv:rv32");
  Segment s = Pattern(20000);
  flasher.Write(s, progress);
  EXPECT_TRUE(std::equal(s.data.begin(), s.data.end(), stub.memory.begin()));
  EXPECT_TRUE(flasher.features().binary_writes);
  EXPECT_EQ(CountPrefix(stub.packets, "M"), 0u);
  EXPECT_EQ(CountPrefix(stub.packets, "X"), 1u + 5u);  // probe + 20000 bytes in ~4 KiB packets
  EXPECT_EQ(stub.oversized_packets, 0u);
}

TEST(GdbRemoteFlasherTest, FallsBackToHexMWhenXIsUnsupported) {
  FakeStubConfig config;
  config.binary_writes = false;
  config.packet_size = 256;
  FakeGdbStub stub(config, kBase, 0x1000);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  Segment s = Pattern(1000);
  flasher.Write(s, progress);
  EXPECT_FALSE(flasher.features().binary_writes);
  EXPECT_TRUE(std::equal(s.data.begin(), s.data.end(), stub.memory.begin()));
  EXPECT_EQ(CountPrefix(stub.packets, "M"), 9u);  // 1000 bytes, 116 per packet
  EXPECT_EQ(stub.oversized_packets, 0u);
}

TEST(GdbRemoteFlasherTest, VerifiesWithQcrcAndFindsTheFirstBadByte) {
  FakeGdbStub stub({}, kBase, 0x30000);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  Segment s = Pattern(0x20000 + 100);
  flasher.Write(s, progress);
  EXPECT_TRUE(flasher.Verify(s, progress).match);
  EXPECT_TRUE(flasher.features().crc);
  EXPECT_EQ(CountPrefix(stub.packets, "qCRC"), 3u);
  EXPECT_EQ(CountPrefix(stub.packets, "m"), 0u);
  stub.memory[0x10123] ^= 0xff;
  VerifyResult r = flasher.Verify(s, progress);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.first_mismatch, kBase + 0x10123);
  uint8_t want = s.data[0x10123];
  char expected[160];
  std::snprintf(expected, sizeof expected, "read 0x%02x, expected 0x%02x",
                static_cast<uint8_t>(want ^ 0xff), want);
  EXPECT_NE(r.detail.find(expected), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.rfind("CRC 0x", 0), 0u) << r.detail;
}

TEST(GdbRemoteFlasherTest, VerifiesByReadBackWhenQcrcIsUnsupported) {
  FakeStubConfig config;
  config.crc = false;
  FakeGdbStub stub(config, kBase, 0x10000);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  Segment s = Pattern(10000);
  flasher.Write(s, progress);
  EXPECT_TRUE(flasher.Verify(s, progress).match);
  EXPECT_FALSE(flasher.features().crc);
  stub.memory[4321] = static_cast<uint8_t>(s.data[4321] + 1);
  VerifyResult r = flasher.Verify(s, progress);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.first_mismatch, kBase + 4321);
  EXPECT_EQ(CountPrefix(stub.packets, "qCRC"), 1u);  // asked once, then remembered
  EXPECT_EQ(
      flasher.Read(kBase + 4320, 3),
      (std::vector<uint8_t>{s.data[4320], static_cast<uint8_t>(s.data[4321] + 1), s.data[4322]}));
}

TEST(GdbRemoteFlasherTest, WriteErrorReplyIsADeviceErrorNamingTheAddress) {
  FakeGdbStub stub({}, kBase, 0x10000);
  stub.error_at[kBase + 0x2000] = "E0e";
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  try {
    flasher.Write(Pattern(0x3000), progress);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
    EXPECT_EQ(e.Describe(), "the gdb server answered error 0e (fake stub: write 0x80001f55)");
  }
}

TEST(GdbRemoteFlasherTest, StartSetsPcWithPThenContinues) {
  FakeGdbStub stub({}, kBase, 0x100);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  flasher.Start(0x80000040);
  EXPECT_EQ(stub.regs[32], 0x80000040u);
  EXPECT_EQ(stub.packets.back(), "vCont;c");
  EXPECT_EQ(stub.packets[stub.packets.size() - 2], "P20=40000080");
  EXPECT_TRUE(stub.running);
}

TEST(GdbRemoteFlasherTest, StartFallsBackToGAndPlainContinue) {
  FakeStubConfig config;
  config.p_packet = false;
  config.vcont = false;
  config.architecture = "";
  config.offer_no_ack = false;
  FakeGdbStub stub(config, kBase, 0x100);
  auto flasher = FlasherFor(stub, RegisterLayoutFor("rv32imac"));
  NullProgress progress;
  flasher.Connect(progress);
  EXPECT_FALSE(flasher.features().no_ack_mode);
  flasher.Start(0x80000010);
  EXPECT_EQ(stub.regs[32], 0x80000010u);
  EXPECT_EQ(stub.packets.back(), "c");
  EXPECT_EQ(CountPrefix(stub.packets, "G"), 1u);
}

TEST(GdbRemoteFlasherTest, LearnsThePcRegisterFromTargetXml) {
  FakeGdbStub stub({}, kBase, 0x100);
  auto flasher = FlasherFor(stub, GdbRegisterLayout{});
  NullProgress progress;
  flasher.Connect(progress);
  flasher.Start(0x80000020);
  EXPECT_EQ(stub.regs[32], 0x80000020u);
}

TEST(GdbRemoteFlasherTest, AckModeSurvivesCorruptedReplies) {
  FakeStubConfig config;
  config.offer_no_ack = false;
  FakeGdbStub stub(config, kBase, 0x10000);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  stub.corrupt_next_replies = 1;
  Segment s = Pattern(100);
  flasher.Write(s, progress);  // the probe X reply is corrupted, NAKed and resent
  EXPECT_EQ(stub.naks_received, 1u);
  EXPECT_TRUE(flasher.Verify(s, progress).match);
}

TEST(GdbRemoteFlasherTest, NoAckModeCorruptedReplyIsATransportError) {
  FakeGdbStub stub({}, kBase, 0x10000);
  auto flasher = FlasherFor(stub);
  NullProgress progress;
  flasher.Connect(progress);
  stub.corrupt_next_replies = 1;
  try {
    flasher.Read(kBase, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "reply with a bad checksum: \"00000000\" (fake stub: read 0x80000000)");
  }
}

TEST(GdbRemoteFlasherTest, RegisterLayouts) {
  EXPECT_EQ(RegisterLayoutFor("rv32imac").pc_register, 32u);
  EXPECT_EQ(RegisterLayoutFor("rv64imac").register_bytes, 8u);
  EXPECT_EQ(RegisterLayoutFor("armv7e-m").pc_register, 15u);
  EXPECT_EQ(RegisterLayoutFor("i486").pc_register, 8u);
  EXPECT_FALSE(RegisterLayoutFor("mystery").pc_register.has_value());
}

TEST(GdbRemoteFlasherTest, WorksOverTcp) {
  FakeGdbStub stub({}, kBase, 0x10000);
  testing::FakeStubServer server(stub);
  uint16_t port = testing::FakeStubServer::ListenTcp(server);
  std::string endpoint = "127.0.0.1:" + std::to_string(port);
  GdbFlasherOptions options;
  options.layout = {32, 4};
  GdbRemoteFlasher flasher([endpoint] { return ConnectTcp(endpoint, std::chrono::seconds(2)); },
                           options, NullLog());
  NullProgress progress;
  flasher.Connect(progress);
  Segment s = Pattern(30000);
  flasher.Write(s, progress);
  EXPECT_TRUE(flasher.Verify(s, progress).match);
  flasher.Disconnect();
  server.Stop();
  EXPECT_TRUE(std::equal(s.data.begin(), s.data.end(), stub.memory.begin()));
}

TEST(GdbRemoteFlasherTest, WorksOverASerialPtyLikeABlackMagicProbe) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  std::string slave = ::ptsname(master);
  FakeStubConfig config;
  config.offer_no_ack = false;  // acknowledged mode over the serial line
  config.packet_size = 0x400;
  FakeGdbStub stub(config, kBase, 0x4000);
  testing::FakeStubServer server(stub);
  server.ServeFd(master);
  GdbFlasherOptions options;
  options.layout = {32, 4};
  GdbRemoteFlasher flasher([slave] { return OpenSerialLink(slave, 115200); }, options, NullLog());
  NullProgress progress;
  flasher.Connect(progress);
  Segment s = Pattern(5000);
  flasher.Write(s, progress);
  EXPECT_TRUE(flasher.Verify(s, progress).match);
  flasher.Start(kBase);
  server.Stop();
  EXPECT_TRUE(std::equal(s.data.begin(), s.data.end(), stub.memory.begin()));
  EXPECT_TRUE(stub.running);
}

TEST(GdbRemoteFlasherTest, RefusedConnectionIsATransportError) {
  uint16_t port = PickFreeLocalPort();
  std::string endpoint = "127.0.0.1:" + std::to_string(port);
  GdbRemoteFlasher flasher([endpoint] { return ConnectTcp(endpoint, std::chrono::seconds(1)); }, {},
                           NullLog());
  NullProgress progress;
  try {
    flasher.Connect(progress);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "cannot connect to " + endpoint + ": connection refused (" + endpoint +
                                ": connect); check that the server (QEMU, a gdb server) is "
                                "running and listening on " +
                                endpoint);
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

FakeStubConfig WithFlash() {
  FakeStubConfig config;
  config.flash = {{0x08000000, 0x10000, 0x800}};
  config.packet_size = 0x200;  // the memory map takes several qXfer rounds
  return config;
}

TEST(GdbRemoteFlasherFlashTest, WritesFlashRegionsWithVFlashPackets) {
  FakeGdbStub stub(WithFlash(), 0x08000000, 0x20000);
  auto flasher = FlasherFor(stub, {15, 4});
  NullProgress progress;
  flasher.Connect(progress);
  ASSERT_EQ(flasher.features().flash_regions.size(), 1u);
  EXPECT_EQ(flasher.features().flash_regions[0].block_size, 0x800u);
  // Two segments sharing the block at 0x08000800: it is erased once, so A survives B's write.
  Segment a = Pattern(0x900, 0x08000100);
  Segment b = Pattern(0x100, 0x08000a00);
  flasher.Write(a, progress);
  flasher.Write(b, progress);
  EXPECT_TRUE(flasher.Verify(a, progress).match);
  EXPECT_TRUE(flasher.Verify(b, progress).match);
  EXPECT_EQ(stub.flash_erases, 1u);  // one vFlashErase for 0x08000000..0x08001000
  EXPECT_EQ(stub.flash_done, 1u);
  EXPECT_EQ(CountPrefix(stub.packets, "vFlashErase:8000000,1000"), 1u);
  EXPECT_EQ(CountPrefix(stub.packets, "X8"), 0u);
  // Outside flash (RAM) X is used as before.
  Segment ram = Pattern(64, 0x08018000);
  flasher.Write(ram, progress);
  EXPECT_TRUE(flasher.Verify(ram, progress).match);
  EXPECT_EQ(stub.flash_done, 1u);
}

TEST(GdbRemoteFlasherFlashTest, SegmentStraddlingFlashAndRamIsRefused) {
  FakeGdbStub stub(WithFlash(), 0x08000000, 0x20000);
  auto flasher = FlasherFor(stub, {15, 4});
  NullProgress progress;
  flasher.Connect(progress);
  try {
    flasher.Write(Pattern(0x200, 0x0800ff00), progress);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "segment PT_LOAD[0] 0x800ff00..0x8010100 is partly inside the flash region "
              "0x8000000..0x8010000 of the gdb server's memory map; split the image so each "
              "segment is all flash or all RAM");
  }
}

TEST(GdbRemoteFlasherFlashTest, FlashIsFinishedBeforeStarting) {
  FakeGdbStub stub(WithFlash(), 0x08000000, 0x20000);
  auto flasher = FlasherFor(stub, {15, 4});
  NullProgress progress;
  flasher.Connect(progress);
  flasher.Write(Pattern(100, 0x08000000), progress);
  flasher.Start(0x08000000);
  EXPECT_EQ(stub.flash_done, 1u);
  EXPECT_EQ(stub.regs[15], 0x08000000u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
