// PICOBOOT protocol logic through the UsbTransport interface against a scripted RP2040/RP2350.
#include "flasher/picoboot.h"

#include <gtest/gtest.h>
#include <spdlog/fmt/fmt.h>

#include "common/error.h"
#include "tests/flasher/usb_backend_fixture.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Capture;
using testing::FactoryFor;
using testing::FakeRpBootsel;
using testing::QuietLog;
using testing::RandomBytes;
using testing::UsbBackendTest;

class PicobootTest : public UsbBackendTest {
 protected:
  std::unique_ptr<PicobootBackend> Make(PicobootSettings s = {}) {
    return std::make_unique<PicobootBackend>(s, FactoryFor(host_), QuietLog());
  }
  std::unique_ptr<PicobootBackend> Connected(PicobootSettings s = {}) {
    host_->Add(rp_);
    auto b = Make(s);
    b->Connect(progress_);
    return b;
  }
  std::shared_ptr<FakeRpBootsel> rp_ = std::make_shared<FakeRpBootsel>();
};

TEST(PicobootPacketTest, EncodesTheCommandPacketLittleEndian) {
  uint8_t args[8] = {0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00};
  auto p = EncodePicobootCommand(7, PicobootCommand::kWrite, args, 256);
  std::vector<uint8_t> expected = {0x0b, 0xd1, 0x1f, 0x43, 7, 0,    0,    0,    0x05, 8,    0,
                                   0,    0x00, 0x01, 0,    0, 0x00, 0x01, 0x00, 0x10, 0x00, 0x01,
                                   0,    0,    0,    0,    0, 0,    0,    0,    0,    0};
  EXPECT_EQ(std::vector<uint8_t>(p.begin(), p.end()), expected);
}

TEST(PicobootPacketTest, DecodesStatus) {
  std::vector<uint8_t> raw = {9, 0, 0, 0, 5, 0, 0, 0, 0x05, 0, 0, 0, 0, 0, 0, 0};
  PicobootStatus s = DecodePicobootStatus(raw);
  EXPECT_EQ(s.token, 9u);
  EXPECT_EQ(s.code, 5u);
  EXPECT_EQ(PicobootStatusName(s.code), "BAD_ALIGNMENT");
  EXPECT_EQ(PicobootCommandName(s.command), "WRITE");
  auto e = Capture([] { DecodePicobootStatus(std::vector<uint8_t>(10, 0)); });
  EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
}

TEST(PicobootSettingsTest, ReadsFamily) {
  auto s = ParsePicobootSettings(
      nlohmann::ordered_json::parse(R"({"method":"picoboot","family":"rp2350"})"));
  EXPECT_EQ(s.family, RpFamily::kRp2350);
  auto e = Capture([] {
    ParsePicobootSettings(
        nlohmann::ordered_json::parse(R"({"method":"picoboot","family":"rp2041"})"));
  });
  EXPECT_EQ(
      e.Describe(),
      "/family: unknown family \"rp2041\" in the picoboot flash method; use rp2040 or rp2350");
}

TEST_F(PicobootTest, ConnectClaimsTheVendorInterfaceAndTakesExclusiveAccess) {
  auto b = Connected();
  EXPECT_EQ(rp_->requests,
            (std::vector<std::string>{
                "claim 1", "control out 0x41/0x41 index 1",
                "bulk out 0x03 EXCLUSIVE_ACCESS 0x00000000 +0", "bulk in 0x84 1 bytes",
                "bulk out 0x03 EXIT_XIP 0x00000000 +0", "bulk in 0x84 1 bytes"}));
  EXPECT_TRUE(rp_->exclusive);
  EXPECT_TRUE(rp_->xip_exited);
  EXPECT_EQ(progress_.messages,
            std::vector<std::string>{"RP2040 in BOOTSEL mode: 2e8a:0003 (bus 1 device 5)"});
  b->Disconnect();
  EXPECT_FALSE(rp_->exclusive);
  EXPECT_EQ(rp_->requests.back(), "release 1");
}

TEST_F(PicobootTest, ErasesWritesAndVerifies) {
  auto b = Connected();
  Segment seg{0x10000000, RandomBytes(10000, 1), "kernel"};
  b->Erase(0x10000000, 12288, progress_);
  b->Write(seg, progress_);
  EXPECT_EQ(progress_.last, 10000u);
  VerifyResult r = b->Verify(seg, progress_);
  EXPECT_TRUE(r.match);
  EXPECT_EQ(r.detail, "read back 10000 bytes");
  EXPECT_TRUE(std::equal(seg.data.begin(), seg.data.end(), rp_->flash.begin()));
  EXPECT_EQ(rp_->flash[10000], 0xFF);  // page padding is 0xFF
  EXPECT_EQ(rp_->CountRequests("bulk out 0x03 FLASH_ERASE"), 1u);
  EXPECT_EQ(rp_->CountRequests("bulk out 0x03 WRITE"), 3u);  // 4096 + 4096 + 1920 (page padded)
  EXPECT_EQ(rp_->CountRequests("bulk out 0x03 READ"), 3u);
  EXPECT_EQ(b->Read(0x10000000, 16), std::vector<uint8_t>(seg.data.begin(), seg.data.begin() + 16));
}

TEST_F(PicobootTest, ReadsFlashOnlyAfterEnterCmdXip) {
  auto b = Connected();
  Segment seg{0x10000000, RandomBytes(5000, 2), "kernel"};
  b->Erase(0x10000000, 8192, progress_);
  b->Write(seg, progress_);
  size_t before = rp_->requests.size();
  EXPECT_TRUE(b->Verify(seg, progress_).match);
  // One ENTER_CMD_XIP before the first READ; the flash functions had left XIP off.
  EXPECT_EQ(rp_->requests[before], "bulk out 0x03 ENTER_CMD_XIP 0x00000000 +0");
  EXPECT_EQ(rp_->CountRequests("bulk out 0x03 ENTER_CMD_XIP"), 1u);
  EXPECT_EQ(rp_->CountRequests("bulk out 0x03 READ"), 2u);
  // A write turns XIP off again, so the next read enters it again.
  b->Write(Segment{0x10002000, std::vector<uint8_t>(256, 7), "more"}, progress_);
  EXPECT_EQ(b->Read(0x10002000, 4), std::vector<uint8_t>(4, 7));
  EXPECT_EQ(rp_->CountRequests("bulk out 0x03 ENTER_CMD_XIP"), 2u);
}

TEST_F(PicobootTest, WriteWithoutEraseIsCaughtByVerify) {
  std::fill(rp_->flash.begin(), rp_->flash.begin() + 4096, 0x00);
  auto b = Connected();
  Segment seg{0x10000000, std::vector<uint8_t>(512, 0xA5), "kernel"};
  b->Write(seg, progress_);
  VerifyResult r = b->Verify(seg, progress_);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.first_mismatch, 0x10000000u);
  EXPECT_EQ(r.detail, "byte at 0x10000000 reads 0x00, expected 0xa5");
}

TEST_F(PicobootTest, UnalignedEraseIsRefusedBeforeTouchingTheDevice) {
  auto b = Connected();
  size_t before = rp_->requests.size();
  auto e = Capture([&] { b->Erase(0x10000800, 4096, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  EXPECT_EQ(e.Describe(),
            "cannot erase 0x10000800 +4096 over PICOBOOT: it erases whole 4 KiB sectors; set the "
            "board's page_size to 4096 (a multiple of the sector)");
  EXPECT_EQ(rp_->requests.size(), before);
}

TEST_F(PicobootTest, StallIsReadBackAsTheDeviceStatus) {
  auto b = Connected();
  auto e = Capture([&] {
    b->Write(Segment{0x30000000, std::vector<uint8_t>(256, 1), "x"}, progress_);
  });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  EXPECT_EQ(e.Describe(),
            "the RP2040 boot ROM refused WRITE: INVALID_ADDRESS (4), the address is outside flash "
            "and RAM (2e8a:0003 (bus 1 device 5): WRITE 0x30000000 +256)");
  // The status was read with CMD_STATUS and the interface reset.
  EXPECT_EQ(rp_->requests[rp_->requests.size() - 2], "control in 0xc1/0x42 index 1");
  EXPECT_EQ(rp_->requests.back(), "control out 0x41/0x41 index 1");
  // The device is usable afterwards.
  b->Write(Segment{0x10000000, std::vector<uint8_t>(256, 1), "y"}, progress_);
  EXPECT_EQ(rp_->flash[0], 1);
}

TEST_F(PicobootTest, FailedEraseReportsTheStatusCode) {
  rp_->fail_command[0x03] = 10;
  auto b = Connected();
  auto e = Capture([&] { b->Erase(0x10000000, 4096, progress_); });
  EXPECT_EQ(e.Describe(),
            "the RP2040 boot ROM refused FLASH_ERASE: NOT_PERMITTED (10), the device does not "
            "permit this (secure boot or locked) (2e8a:0003 (bus 1 device 5): FLASH_ERASE "
            "0x10000000 +4096)");
}

TEST_F(PicobootTest, TimeoutIsATransportError) {
  auto b = Connected();
  b->Read(0x10000000, 4);  // ENTER_CMD_XIP went out before this READ
  rp_->timeout_next = true;
  auto e = Capture([&] { b->Read(0x10000000, 64); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "the RP2040 boot ROM did not answer in time (2e8a:0003 (bus 1 device 5): READ "
            "0x10000000 +64); unplug it and plug it in again in BOOTSEL mode");
}

TEST_F(PicobootTest, DisconnectMidWriteIsATransportError) {
  auto b = Connected();
  rp_->disconnect_after = 4;
  auto e = Capture([&] { b->Write(Segment{0x10000000, RandomBytes(16384, 2), "k"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "the RP2040 boot ROM disconnected (2e8a:0003 (bus 1 device 5): WRITE 0x10001000 "
            "+4096); plug it in again in BOOTSEL mode and retry");
}

TEST_F(PicobootTest, StartRebootsAnRp2040) {
  auto b = Connected();
  b->Start(0x10000101);
  EXPECT_EQ(rp_->last_reboot_command, 0x02);
  EXPECT_EQ(rp_->last_reboot_args, (std::vector<uint32_t>{0, 0x20042000, 500}));
  EXPECT_EQ(rp_->requests.back(), "release 1");
}

TEST_F(PicobootTest, StartRebootsAnRp2350WithReboot2) {
  rp_ = std::make_shared<FakeRpBootsel>(/*rp2350=*/true);
  auto b = Connected();
  EXPECT_EQ(progress_.messages.back(), "RP2350 in BOOTSEL mode: 2e8a:000f (bus 1 device 9)");
  b->Start(std::nullopt);
  EXPECT_EQ(rp_->last_reboot_command, 0x0a);
  EXPECT_EQ(rp_->last_reboot_args, (std::vector<uint32_t>{0, 500, 0, 0}));
}

TEST_F(PicobootTest, NoDeviceIsReported) {
  auto b = Make();
  auto e = Capture([&] { b->Connect(progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "no RP2040/RP2350 in BOOTSEL mode (2e8a:0003 or 2e8a:000f) is connected; connect it "
            "(for BOOTSEL or DFU mode hold the boot button while plugging in) and check `tockctl "
            "devices`");
}

TEST_F(PicobootTest, SeveralDevicesNeedAProbeSelection) {
  host_->Add(std::make_shared<FakeRpBootsel>(false, "AAAA"));
  host_->Add(std::make_shared<FakeRpBootsel>(true, "BBBB"));
  auto b = Make();
  auto e = Capture([&] { b->Connect(progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kUsage);
  EXPECT_EQ(e.Describe(),
            "2 devices match the RP2040/RP2350 in BOOTSEL mode; choose one; pass one of: --usb "
            "2e8a:0003:AAAA, --usb 2e8a:000f:BBBB");
  PicobootSettings s;
  s.probe = devices::ParseUsbSelector("2e8a:000f:BBBB");
  auto chosen = Make(s);
  chosen->Connect(progress_);
  EXPECT_EQ(progress_.messages.back(), "RP2350 in BOOTSEL mode: 2e8a:000f (bus 1 device 9)");
}

TEST_F(PicobootTest, FamilyNarrowsTheSearch) {
  host_->Add(std::make_shared<FakeRpBootsel>(true));
  PicobootSettings s;
  s.family = RpFamily::kRp2040;
  auto e = Capture([&] { Make(s)->Connect(progress_); });
  EXPECT_EQ(e.Describe(),
            "no RP2040/RP2350 in BOOTSEL mode (2e8a:0003) is connected; connect it (for BOOTSEL "
            "or DFU mode hold the boot button while plugging in) and check `tockctl devices`");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
