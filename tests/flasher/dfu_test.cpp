// DFU 1.1 and DfuSe protocol logic through the UsbTransport interface against a scripted STM32.
#include "flasher/dfu.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/flasher/usb_backend_fixture.h"
#include "tests/support/manual_clock.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Capture;
using testing::FactoryFor;
using testing::FakeDfuRunTime;
using testing::FakeStm32Dfu;
using testing::QuietLog;
using testing::RandomBytes;
using testing::UsbBackendTest;

class DfuTest : public UsbBackendTest {
 protected:
  std::unique_ptr<DfuBackend> Connected(std::shared_ptr<FakeStm32Dfu> dev, DfuSettings s = {}) {
    host_->Add(dev);
    auto b = std::make_unique<DfuBackend>(s, FactoryFor(host_), QuietLog());
    b->Connect(progress_);
    return b;
  }
  std::shared_ptr<FakeStm32Dfu> stm_ = std::make_shared<FakeStm32Dfu>();
};

TEST(DfuDescriptorTest, ReadsTheFunctionalDescriptor) {
  std::vector<uint8_t> extra = {0x05, 0x24, 0,    0,    0,  // an unrelated class descriptor first
                                0x09, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01};
  auto f = FindDfuFunctional(extra);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->transfer_size, 2048);
  EXPECT_EQ(f->dfu_version, 0x011a);
  EXPECT_TRUE(f->can_upload());
  EXPECT_FALSE(f->manifestation_tolerant());
  EXPECT_FALSE(FindDfuFunctional(std::vector<uint8_t>{0x09, 0x21, 0x0b}).has_value());
}

TEST(DfuDescriptorTest, DecodesStatusAndNames) {
  std::vector<uint8_t> raw = {0x08, 0x64, 0x00, 0x00, 0x0a, 0x00};
  DfuStatus s = DecodeDfuStatus(raw);
  EXPECT_EQ(s.poll_timeout_ms, 100u);
  EXPECT_EQ(DfuStatusName(s.status), "errADDRESS");
  EXPECT_EQ(DfuStateName(s.state), "dfuERROR");
  EXPECT_EQ(DfuStatusName(0x42), "status 0x42");
}

TEST(DfuseLayoutTest, ParsesTheStm32F4Layout) {
  auto l = ParseDfuseLayout("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
  EXPECT_EQ(l.name, "Internal Flash");
  ASSERT_EQ(l.runs.size(), 3u);
  EXPECT_EQ(l.runs[2].start, 0x08020000u);
  EXPECT_EQ(l.runs[2].size, 128u * 1024);
  EXPECT_TRUE(l.runs[0].erasable && l.runs[0].writable && l.runs[0].readable);
  EXPECT_EQ(l.SectorAt(0x08004100), (std::make_pair<uint32_t, uint32_t>(0x08004000, 0x4000)));
  EXPECT_EQ(l.SectorAt(0x08030000), (std::make_pair<uint32_t, uint32_t>(0x08020000, 0x20000)));
  EXPECT_FALSE(l.SectorAt(0x08100000).has_value());
  auto opt = ParseDfuseLayout("@Option Bytes  /0x1FFFC000/01*016 e");
  EXPECT_EQ(opt.runs[0].size, 16u);
  EXPECT_TRUE(opt.runs[0].readable && opt.runs[0].writable);  // 'e': read and write
  EXPECT_FALSE(opt.runs[0].erasable);
  auto e = Capture([] { ParseDfuseLayout("@Flash /0x08000000/04*16Xg"); });
  EXPECT_EQ(e.Describe(),
            "DfuSe memory description \"@Flash /0x08000000/04*16Xg\" has a malformed sector group "
            "\"04*16Xg\"; expected groups like 04*016Kg (count*size, unit, type letter)");
}

TEST(DfuSettingsTest, DefaultsDfuseForTheStm32Bootloader) {
  auto s =
      ParseDfuSettings(nlohmann::ordered_json::parse(R"({"method":"dfu","vid_pid":"0483:df11"})"));
  EXPECT_TRUE(s.dfuse);
  auto plain = ParseDfuSettings(nlohmann::ordered_json::parse(
      R"({"method":"dfu","vid_pid":"1209:70b1","address":"0x4000"})"));
  EXPECT_FALSE(plain.dfuse);
  EXPECT_EQ(plain.vid, 0x1209);
  EXPECT_EQ(plain.address, 0x4000u);
  auto e = Capture([] {
    ParseDfuSettings(nlohmann::ordered_json::parse(R"({"method":"dfu","vid_pid":"0483df11"})"));
  });
  EXPECT_EQ(e.Describe(),
            "/vid_pid: \"vid_pid\" in the dfu flash method must be \"VID:PID\" with four hex "
            "digits each, like \"0483:df11\"");
}

TEST_F(DfuTest, ConnectSelectsAltSettingAndReachesIdle) {
  stm_->state = 10;  // left in dfuERROR by an earlier session
  stm_->status = 0x0e;
  auto b = Connected(stm_);
  EXPECT_EQ(stm_->requests,
            (std::vector<std::string>{"claim 0", "alt 0 0", "control in GETSTATUS wValue 0",
                                      "control out CLRSTATUS wValue 0 0 bytes",
                                      "control in GETSTATE wValue 0"}));
  EXPECT_EQ(progress_.messages,
            std::vector<std::string>{"STM32 DfuSe bootloader: 0483:df11 (bus 2 device 7), "
                                     "Internal Flash, 2048 bytes per transfer"});
  b->Disconnect();
  EXPECT_EQ(stm_->requests.back(), "release 0");
}

TEST_F(DfuTest, ErasesSectorsWritesVerifiesAndLeaves) {
  auto b = Connected(stm_);
  Segment seg{0x08000000, RandomBytes(40000, 3), "kernel"};
  b->Erase(0x08000000, 0xC000, progress_);  // three 16 KiB sectors
  EXPECT_EQ(stm_->erased, (std::vector<uint32_t>{0x08000000, 0x08004000, 0x08008000}));
  b->Write(seg, progress_);
  EXPECT_EQ(progress_.last, 40000u);
  EXPECT_TRUE(std::equal(seg.data.begin(), seg.data.end(), stm_->flash.begin()));
  EXPECT_EQ(stm_->CountRequests("control out DNLOAD wValue 2"), 20u);  // 40000 / 2048
  VerifyResult r = b->Verify(seg, progress_);
  EXPECT_TRUE(r.match);
  EXPECT_EQ(r.detail, "read back 40000 bytes");
  b->Start(0x08000101);
  EXPECT_TRUE(stm_->left);
  EXPECT_EQ(stm_->CountRequests("control out DNLOAD wValue 2 0 bytes"), 1u);
  EXPECT_EQ(stm_->requests.back(), "release 0");
}

TEST_F(DfuTest, EraseWidensToWholeSectorsAndSaysSo) {
  auto b = Connected(stm_);
  b->Erase(0x08020000, 0x5000, progress_);
  EXPECT_EQ(stm_->erased, (std::vector<uint32_t>{0x08020000}));
  EXPECT_EQ(progress_.messages.back(),
            "erasing the whole sector 0x08020000..0x08040000 (128 KiB) to cover "
            "0x08020000..0x08025000");
}

TEST_F(DfuTest, BadAddressIsReportedByTheDevice) {
  auto b = Connected(stm_);
  auto e = Capture([&] { b->Write(Segment{0x20000000, RandomBytes(16, 1), "ram"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  EXPECT_EQ(e.Describe(),
            "the STM32 DfuSe bootloader reported errTARGET (0x01), the target memory or address "
            "is wrong (0483:df11 (bus 2 device 7): SET_ADDRESS 0x20000000)");
  EXPECT_EQ(stm_->requests.back(), "control out CLRSTATUS wValue 0 0 bytes");
  b->Write(Segment{0x08000000, RandomBytes(16, 1), "flash"}, progress_);  // usable again
}

TEST_F(DfuTest, WriteErrorIsReportedByTheDevice) {
  stm_->fail_write_at = 0x08000900;
  auto b = Connected(stm_);
  auto e = Capture([&] { b->Write(Segment{0x08000000, RandomBytes(4096, 1), "k"}, progress_); });
  EXPECT_EQ(e.Describe(),
            "the STM32 DfuSe bootloader reported errWRITE (0x03), the device cannot write memory "
            "(0483:df11 (bus 2 device 7): DNLOAD 0x08000800 +2048)");
}

TEST_F(DfuTest, StalledRequestIsReadBackWithGetStatus) {
  auto b = Connected(stm_);
  stm_->state = 9;  // dfuUPLOAD-IDLE: a DNLOAD now is a protocol error and stalls
  auto e = Capture([&] { b->Write(Segment{0x08000000, RandomBytes(16, 1), "k"}, progress_); });
  EXPECT_EQ(e.Describe(),
            "the STM32 DfuSe bootloader reported errSTALLEDPKT (0x0f), the device stalled an "
            "unexpected request (0483:df11 (bus 2 device 7): SET_ADDRESS 0x08000000)");
}

TEST_F(DfuTest, BusyDeviceIsPolledWithItsPollTimeout) {
  stm_->busy_polls = 3;
  auto b = Connected(stm_);
  b->Write(Segment{0x08000000, RandomBytes(100, 9), "k"}, progress_);
  // SET_ADDRESS and the data block each: 1 GETSTATUS to start, 3 while busy.
  EXPECT_EQ(stm_->CountRequests("control in GETSTATUS"), 1u + 4u + 4u);
}

TEST_F(DfuTest, AnAbsurdPollTimeoutIsNotWaitedFor) {
  // bwPollTimeout is 24 bits: 0xffffff ms is 4.6 hours (found by fuzz/usb_reply as a hang).
  stm_->busy_polls = 3;
  stm_->poll_timeout_ms = 0xffffff;
  auto b = Connected(stm_);
  auto e = Capture([&] { b->Write(Segment{0x08000000, RandomBytes(100, 9), "k"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "the STM32 DfuSe bootloader stayed busy (1 status polls, 16777215 ms of waits asked "
            "for) (0483:df11 (bus 2 device 7): SET_ADDRESS 0x08000000); unplug it and plug it in "
            "again in DFU mode");
}

TEST_F(DfuTest, VerifyFindsDifferences) {
  auto b = Connected(stm_);
  Segment seg{0x08000000, RandomBytes(3000, 4), "k"};
  b->Write(seg, progress_);
  stm_->flash[2500] ^= 0xFF;
  VerifyResult r = b->Verify(seg, progress_);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.first_mismatch, 0x08000000u + 2500);
}

TEST_F(DfuTest, TimeoutAndDisconnectAreTransportErrors) {
  auto b = Connected(stm_);
  stm_->timeout_next = true;
  auto e = Capture([&] { b->Read(0x08000000, 16); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "the STM32 DfuSe bootloader did not answer in time (0483:df11 (bus 2 device 7): "
            "SET_ADDRESS 0x08000000); unplug it and plug it in again in DFU mode");
  stm_->disconnect_after = 0;
  auto gone = Capture([&] { b->Read(0x08000000, 16); });
  EXPECT_EQ(gone.Describe(),
            "the STM32 DfuSe bootloader disconnected (0483:df11 (bus 2 device 7): SET_ADDRESS "
            "0x08000000); plug it in again in DFU mode and retry");
}

TEST(DfuClientTest, MassEraseClearsAllFlash) {
  FakeStm32Dfu stm;
  std::fill(stm.flash.begin(), stm.flash.begin() + 100, 0x00);
  ASSERT_TRUE(stm.ClaimInterface(0).ok());
  DfuClient client(stm, 0, *FindDfuFunctional(stm.info().interfaces[0].extra),
                   "STM32 DfuSe bootloader", QuietLog());
  client.EnsureIdle();
  client.MassErase();
  EXPECT_TRUE(stm.mass_erased);
  EXPECT_EQ(stm.flash[0], 0xFF);
  EXPECT_EQ(stm.requests[stm.requests.size() - 4], "control out DNLOAD wValue 0 1 bytes");
  EXPECT_EQ(stm.requests.back(), "control out ABORT wValue 0 0 bytes");
  EXPECT_EQ(client.GetState("check"), 2);  // dfuIDLE
}

TEST_F(DfuTest, PlainDfuDownloadsNumberedBlocksAndManifests) {
  auto plain = std::make_shared<FakeStm32Dfu>("P1", /*plain=*/true);
  DfuSettings s;
  s.pid = 0xdf12;
  s.dfuse = false;
  s.address = 0x08000000;
  auto b = Connected(plain, s);
  EXPECT_FALSE(b->capabilities().erase);
  Segment seg{0x08000000, RandomBytes(5000, 5), "fw"};
  b->Write(seg, progress_);
  EXPECT_TRUE(std::equal(seg.data.begin(), seg.data.end(), plain->flash.begin()));
  EXPECT_EQ(plain->CountRequests("control out DNLOAD wValue 0 2048"), 1u);
  EXPECT_EQ(plain->CountRequests("control out DNLOAD wValue 2 904"), 1u);
  auto gap = Capture([&] { b->Write(Segment{0x08010000, RandomBytes(16, 1), "gap"}, progress_); });
  EXPECT_EQ(gap.Describe(),
            "plain DFU writes one contiguous image: segment gap starts at 0x08010000, expected "
            "0x08001388; flash a single binary, or use a DfuSe device");
  b->Start(std::nullopt);
  EXPECT_EQ(plain->CountRequests("control out DNLOAD wValue 3 0 bytes"), 1u);
  EXPECT_EQ(plain->state, 2);  // manifestation tolerant: back to dfuIDLE
}

// DFU run-time mode: the board's method names the DFU-mode device (0483:df12 here), --usb the
// firmware (1209:0002) that detaches into it on the same port.
class DfuDetachTest : public UsbBackendTest {
 protected:
  DfuSettings Settings(bool with_usb = true) {
    DfuSettings s;
    s.pid = 0xdf12;
    s.dfuse = false;
    s.address = 0x08000000;
    if (with_usb) s.probe = devices::ParseUsbSelector("1209:0002:RT0001");
    return s;
  }
  std::unique_ptr<DfuBackend> Backend(bool with_usb = true) {
    return std::make_unique<DfuBackend>(Settings(with_usb), FactoryFor(host_), QuietLog(), clock_);
  }
  // Plugs in the firmware; when it leaves, `comes_back` decides whether the DFU-mode device
  // appears on its port.
  std::shared_ptr<FakeDfuRunTime> Plug(bool will_detach, bool comes_back = true) {
    auto rt = std::make_shared<FakeDfuRunTime>(will_detach);
    rt->on_leave = [this, rt = rt.get(), comes_back] {
      for (auto& d : plugged_)
        if (d.get() == rt) host_->Remove(d);
      if (comes_back) host_->Add(dfu_);
    };
    plugged_.push_back(rt);
    host_->Add(rt);
    return rt;
  }
  tockctl::testing::ManualClock clock_;
  std::vector<std::shared_ptr<testing::FakeUsbDevice>> plugged_;
  std::shared_ptr<FakeStm32Dfu> dfu_ = std::make_shared<FakeStm32Dfu>("DFU0001", /*plain=*/true);
};

TEST_F(DfuDetachTest, AWillDetachDeviceComesBackInDfuModeAndIsFlashed) {
  auto rt = Plug(/*will_detach=*/true);
  auto b = Backend();
  b->Connect(progress_);
  EXPECT_EQ(rt->requests, (std::vector<std::string>{"claim 1",
                                                    "control out DETACH wValue 1000 "
                                                    "wIndex 1",
                                                    "release 1"}));
  EXPECT_EQ(progress_.messages,
            (std::vector<std::string>{
                "1209:0002 (bus 2 device 6): DFU run-time mode; sent DFU_DETACH (wDetachTimeOut "
                "1000 ms); waiting up to 6.0 s for it in DFU mode",
                "0483:df12 (bus 2 device 7): in DFU mode after 0.0 s",
                "DFU device: 0483:df12 (bus 2 device 7), 2048 bytes per transfer"}));
  Segment seg{0x08000000, RandomBytes(5000, 7), "fw"};
  b->Write(seg, progress_);
  b->Start(std::nullopt);
  EXPECT_TRUE(std::equal(seg.data.begin(), seg.data.end(), dfu_->flash.begin()));
  EXPECT_EQ(dfu_->CountRequests("control out DNLOAD wValue 3 0 bytes"), 1u);  // manifested
}

TEST_F(DfuDetachTest, ADeviceThatWaitsForAResetIsResetAfterTheDetach) {
  auto rt = Plug(/*will_detach=*/false);
  auto b = Backend();
  b->Connect(progress_);
  EXPECT_EQ(rt->requests,
            (std::vector<std::string>{"claim 1", "control out DETACH wValue 1000 wIndex 1", "reset",
                                      "release 1"}));
  EXPECT_EQ(progress_.messages.front(),
            "1209:0002 (bus 2 device 6): DFU run-time mode; sent DFU_DETACH and a USB reset "
            "(wDetachTimeOut 1000 ms); waiting up to 6.0 s for it in DFU mode");
  Segment seg{0x08000000, RandomBytes(3000, 8), "fw"};
  b->Write(seg, progress_);
  EXPECT_TRUE(std::equal(seg.data.begin(), seg.data.end(), dfu_->flash.begin()));
}

TEST_F(DfuDetachTest, ADeviceThatNeverComesBackEndsWithOneLineSayingWhatToDo) {
  Plug(/*will_detach=*/false, /*comes_back=*/false);
  auto b = Backend();
  auto start = clock_.Now();
  auto e = Capture([&] { b->Connect(progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "the device did not come back in DFU mode within 6.0 s of DFU_DETACH and a USB reset "
            "(1209:0002 (bus 2 device 6): detach); put it into DFU mode by hand (its bootloader "
            "button or command) and flash again with --usb naming the DFU-mode device (see "
            "tockctl devices)");
  EXPECT_GE(clock_.Now() - start, std::chrono::seconds(6));  // waited the whole bound, no more
  EXPECT_LT(clock_.Now() - start, std::chrono::milliseconds(6200));
}

TEST_F(DfuDetachTest, ARefusedDetachIsReported) {
  auto rt = Plug(/*will_detach=*/true);
  rt->state = 1;  // already in appDETACH: DFU_DETACH stalls
  auto e = Capture([&] { Backend()->Connect(progress_); });
  EXPECT_EQ(e.Describe(),
            "the device refused DFU_DETACH (1209:0002 (bus 2 device 6): DFU_DETACH); put it into "
            "DFU mode by hand (its bootloader button or command) and flash again with --usb "
            "naming the DFU-mode device (see tockctl devices)");
}

TEST_F(DfuDetachTest, WithoutUsbARunTimeDeviceIsNamedInTheError) {
  Plug(/*will_detach=*/true);
  auto e = Capture([&] { Backend(/*with_usb=*/false)->Connect(progress_); });
  EXPECT_EQ(e.Describe(),
            "no DFU device (0483:df12) is connected; 1209:0002:RT0001 offers DFU run-time mode; "
            "pass --usb 1209:0002:RT0001 to detach it into DFU mode and flash it");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
