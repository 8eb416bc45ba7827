// The tock-bootloader back-end against the bootloader peer over real pseudo-terminals: entry,
// writes with blank-page shortcuts and CRC runs, verify, baud change, faults.
#include "flasher/tock_bootloader_backend.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <random>

#include "common/error.h"
#include "flasher/crc32.h"
#include "tests/flasher/test_helpers.h"
#include "tests/flasher/tock_bootloader_peer.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Capture;
using testing::QuietLog;

using testing::PeerFault;
using testing::PeerOptions;
using testing::TockBootloaderPeer;

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

/// Records what the back-end reports.
class RecordingProgress : public ProgressSink {
 public:
  void Begin(Phase phase, uint64_t total) override {
    events.push_back("begin " + std::to_string(static_cast<int>(phase)) + " " +
                     std::to_string(total));
  }
  void Advance(uint64_t done) override { last_advance = done; }
  void End(Phase phase) override {
    events.push_back("end " + std::to_string(static_cast<int>(phase)));
  }
  void Message(const std::string& text) override { messages.push_back(text); }
  std::vector<std::string> events;
  std::vector<std::string> messages;
  uint64_t last_advance = 0;
};

/// A real pty link whose DTR/RTS pulse reaches the peer (ptys have no modem lines).
class ModemLineLink : public SerialLink {
 public:
  ModemLineLink(std::unique_ptr<SerialLink> inner, TockBootloaderPeer& peer)
      : inner_(std::move(inner)), peer_(peer) {}
  const std::string& path() const override { return inner_->path(); }
  void Write(std::span<const uint8_t> b) override { inner_->Write(b); }
  size_t Read(std::span<uint8_t> o, std::chrono::milliseconds t) override {
    return inner_->Read(o, t);
  }
  void SetBaudRate(uint32_t baud) override { inner_->SetBaudRate(baud); }
  bool SetModemLines(bool dtr, bool rts) override {
    lines.push_back({dtr, rts});
    if (also_record) also_record->push_back({dtr, rts});
    if (lines.size() >= 2 && lines[lines.size() - 2].first && !dtr)
      peer_.ReleaseReset(rts);  // into the bootloader if the select line is held
    return true;
  }
  void DiscardInput() override { inner_->DiscardInput(); }
  bool StillPresent() override { return inner_->StillPresent(); }
  std::vector<std::pair<bool, bool>> lines;
  std::vector<std::pair<bool, bool>>* also_record = nullptr;

 private:
  std::unique_ptr<SerialLink> inner_;
  TockBootloaderPeer& peer_;
};

TockBootloaderSettings FastSettings(const std::string& port) {
  TockBootloaderSettings s;
  s.port = port;
  s.timeouts.reply = std::chrono::milliseconds(100);
  s.timings.touch_settle = std::chrono::milliseconds(20);
  s.timings.refind_interval = std::chrono::milliseconds(10);
  s.timings.refind_attempts = 50;
  s.timings.reset_pulse = std::chrono::milliseconds(1);
  s.timings.select_hold = std::chrono::milliseconds(1);
  s.timings.ping_attempts = 3;
  return s;
}

class BootloaderBackendTest : public ::testing::Test {
 protected:
  explicit BootloaderBackendTest(PeerOptions options = {}) : peer_(options) {}

  std::unique_ptr<TockBootloaderBackend> Make(TockBootloaderSettings s) {
    return std::make_unique<TockBootloaderBackend>(
        std::move(s),
        [](const std::string& p, uint32_t b) { return TermiosSerialLink::Open(p, b); }, Lister(),
        QuietLog());
  }
  std::shared_ptr<SerialPortLister> Lister() {
    return std::shared_ptr<SerialPortLister>(std::shared_ptr<void>(), &peer_.lister());
  }
  std::unique_ptr<TockBootloaderBackend> Connected(TockBootloaderSettings s) {
    auto b = Make(std::move(s));
    b->Connect(progress_);
    return b;
  }
  size_t Count(uint8_t command) {
    auto c = peer_.commands();
    return static_cast<size_t>(std::count(c.begin(), c.end(), command));
  }

  TockBootloaderPeer peer_;
  RecordingProgress progress_;
};

TEST(BootloaderSettingsTest, ReadsTheMethodObject) {
  auto method = nlohmann::ordered_json::parse(
      R"({"method":"tock-bootloader","baud":115200,"fast_baud":921600,"entry":"dtr-rts",
          "skip_zero_pages":true,"start_address":"0x30000"})");
  auto s = ParseTockBootloaderSettings(method);
  EXPECT_EQ(s.baud, 115200u);
  EXPECT_EQ(s.fast_baud, 921600u);
  EXPECT_EQ(s.entry, BootloaderEntry::kDtrRts);
  EXPECT_TRUE(s.skip_zero_pages);
  EXPECT_EQ(s.start_address, 0x30000u);
}

TEST(BootloaderSettingsTest, ReportsUnknownKeysAndBadValues) {
  auto e = Capture([] {
    ParseTockBootloaderSettings(
        nlohmann::ordered_json::parse(R"({"method":"tock-bootloader","bd":1})"));
  });
  EXPECT_EQ(e.Describe(),
            "/bd: unknown key \"bd\" in the tock-bootloader flash method; known keys: method, "
            "note, baud, page_size, fast_baud, entry, skip_zero_pages, start_address");
  auto baud = Capture([] {
    ParseTockBootloaderSettings(
        nlohmann::ordered_json::parse(R"({"method":"tock-bootloader","baud":1234})"));
  });
  EXPECT_EQ(baud.Describe(),
            "/baud: baud rate 1234 in the tock-bootloader flash method is not one the host can "
            "set; use a standard rate such as 115200, 460800 or 921600");
  auto entry = Capture([] {
    ParseTockBootloaderSettings(
        nlohmann::ordered_json::parse(R"({"method":"tock-bootloader","entry":"jump"})"));
  });
  EXPECT_EQ(entry.Describe(),
            "/entry: unknown bootloader entry \"jump\" in the tock-bootloader flash method; use "
            "one of: auto, baud-touch, dtr-rts, none");
}

TEST(PageClassificationTest, BlankPagesAreErasedOnlyWhereErasedReadsFF) {
  std::vector<uint8_t> ff(512, 0xFF), zero(512, 0), data(512, 0xFF);
  data[511] = 0;
  EXPECT_EQ(ClassifyPage(ff, false, true), PageAction::kErase);
  EXPECT_EQ(ClassifyPage(ff, false, false), PageAction::kWrite);
  EXPECT_EQ(ClassifyPage(zero, false, true), PageAction::kWrite);
  EXPECT_EQ(ClassifyPage(zero, true, false), PageAction::kSkip);
  EXPECT_EQ(ClassifyPage(data, true, true), PageAction::kWrite);
}

TEST(BootloaderBoardNamesTest, AttributesOfTheBootloaderBuildsMapToCatalogBoards) {
  EXPECT_EQ(BootloaderBoardAttributeFor("wm1110dev"), "wm1110_dev");
  EXPECT_EQ(BootloaderBoardAttributeFor("nano33ble_rev2"), "nano33ble");
  EXPECT_EQ(BootloaderBoardAttributeFor("hail"), "hail");
  std::vector<std::string> catalog{"hail", "nano33ble", "nano33ble_rev2", "wm1110dev"};
  EXPECT_EQ(BoardsWithBootloaderAttribute("nano33ble", catalog),
            (std::vector<std::string>{"nano33ble", "nano33ble_rev2"}));
  EXPECT_EQ(BoardsWithBootloaderAttribute("wm1110_dev", catalog),
            std::vector<std::string>{"wm1110dev"});
  EXPECT_TRUE(BoardsWithBootloaderAttribute("clue_nrf52840", catalog).empty());
}

TEST_F(BootloaderBackendTest, ConnectsToARunningBootloader) {
  auto b = Connected(FastSettings(peer_.port_path()));
  EXPECT_EQ(b->info().version, "1.1.3");
  EXPECT_EQ(progress_.messages, std::vector<std::string>{"Tock bootloader 1.1.3 on " +
                                                         peer_.port_path() + " (board nano33ble)"});
  EXPECT_EQ(b->attributes(),
            (std::vector<std::pair<std::string, std::string>>{
                {"board", "nano33ble"}, {"arch", "cortex-m4"}, {"appaddr", "0x50000"}}));
  EXPECT_TRUE(progress_.events.empty());  // the flash runner owns Begin/End
}

// --serial VID:PID[:SERIAL] names the board's USB device instead of its port (as for trace and
// console): the backend finds the port with that serial number.
TEST_F(BootloaderBackendTest, APortNamedByItsUsbSerialNumberIsFound) {
  auto b = Connected(FastSettings("6667:abcd:TOCK0001"));
  EXPECT_EQ(progress_.messages, std::vector<std::string>{"Tock bootloader 1.1.3 on " +
                                                         peer_.port_path() + " (board nano33ble)"});
  auto other = Make(FastSettings("6667:abcd:TOCK0002"));
  EXPECT_EQ(Capture([&] { other->Connect(progress_); }).Describe(),
            "no serial port belongs to USB device 6667:abcd:TOCK0002; is it plugged in, with its "
            "driver loaded? (list ports with: tockctl devices)");
}

TEST_F(BootloaderBackendTest, WritesPagesAndChecksTheRunCrc) {
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20000, Random(64 * 1024, 1), "kernel"};
  b->Write(seg, progress_);
  EXPECT_EQ(peer_.ReadFlash(0x20000, seg.data.size()), seg.data);
  EXPECT_EQ(Count(0x07), 128u);
  EXPECT_EQ(Count(0x15), 1u);
  EXPECT_EQ(progress_.last_advance, 64u * 1024);
  EXPECT_TRUE(b->Verify(seg, progress_).match);
}

TEST_F(BootloaderBackendTest, UnalignedSegmentKeepsItsNeighbours) {
  auto before = Random(1536, 7);
  peer_.WriteFlash(0x20000, before);
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20010, Random(1000, 8), "unaligned"};
  b->Write(seg, progress_);
  auto expected = before;
  std::copy(seg.data.begin(), seg.data.end(), expected.begin() + 0x10);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 1536), expected);
  EXPECT_EQ(Count(0x11), 2u);  // head and tail read back
}

TEST_F(BootloaderBackendTest, Nrf52BlankPagesAreWrittenNotErased) {
  // 1.1.x erases a 512-byte page to 0x01, so an all-0xFF page must be written.
  peer_.WriteFlash(0x20000, Random(2048, 3));
  auto data = Random(2048, 4);
  std::fill(data.begin() + 512, data.begin() + 1536, 0xFF);
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20000, data, "with blanks"};
  b->Write(seg, progress_);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 2048), data);
  EXPECT_EQ(Count(0x07), 4u);
  EXPECT_EQ(Count(0x06), 0u);
  EXPECT_EQ(Count(0x15), 1u);
  EXPECT_TRUE(b->Verify(seg, progress_).match);
}

TEST_F(BootloaderBackendTest, ZeroPagesAreSkippedOnlyWhenAskedAndSplitTheCrcRuns) {
  auto old = Random(1536, 5);
  peer_.WriteFlash(0x20000, old);
  auto data = Random(1536, 6);
  std::fill(data.begin() + 512, data.begin() + 1024, 0);
  auto s = FastSettings(peer_.port_path());
  s.skip_zero_pages = true;
  auto b = Connected(s);
  b->Write(Segment{0x20000, data, "with zeros"}, progress_);
  EXPECT_EQ(Count(0x07), 2u);
  EXPECT_EQ(Count(0x15), 2u);
  // The skipped page keeps its old contents: why skipping is off by default.
  EXPECT_EQ(peer_.ReadFlash(0x20200, 512),
            std::vector<uint8_t>(old.begin() + 512, old.begin() + 1024));
  // Verify compares what was written, and says what it left out.
  VerifyResult r = b->Verify(Segment{0x20000, data, "with zeros"}, progress_);
  EXPECT_TRUE(r.match);
  EXPECT_EQ(Count(0x15), 4u);
  EXPECT_EQ(r.detail, fmt::format("CRC-32 0x{:08x}; 512 bytes of zero pages left unwritten "
                                  "(skip_zero_pages) not compared",
                                  Crc32(std::span(data).subspan(1024))));
}

TEST_F(BootloaderBackendTest, CorruptedFlashFailsTheRunCrc) {
  peer_.AddFault({PeerFault::Kind::kCorruptFlash, 0x07, 1, 1, 0});
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20000, std::vector<uint8_t>(1024, 0x5A), "kernel"};
  auto e = Capture([&] { b->Write(seg, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  auto corrupted = seg.data;
  corrupted[512 + 7] ^= 0x01;
  EXPECT_EQ(e.Describe(),
            fmt::format("flash at 0x00020000..0x00020400 does not hold what was written: the "
                        "bootloader's CRC-32 is 0x{:08x}, expected 0x{:08x} ({}: write); run the "
                        "command again; if it persists the flash may be protected or worn",
                        Crc32(corrupted), Crc32(seg.data), peer_.port_path()));
}

TEST_F(BootloaderBackendTest, VerifyFindsTheFirstDifferingByte) {
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20000, Random(2000, 9), "kernel"};
  b->Write(seg, progress_);
  auto flash = peer_.ReadFlash(0x20000, 2000);
  flash[1234] ^= 0x80;
  peer_.WriteFlash(0x20000, flash);
  VerifyResult r = b->Verify(seg, progress_);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.first_mismatch, 0x20000u + 1234);
  EXPECT_EQ(r.detail,
            fmt::format("CRC-32 0x{:08x}, expected 0x{:08x}", Crc32(flash), Crc32(seg.data)));
}

TEST_F(BootloaderBackendTest, WrongCrcWithMatchingFlashNamesTheSegmentAddress) {
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20000, Random(2000, 9), "kernel"};
  b->Write(seg, progress_);
  peer_.AddFault({PeerFault::Kind::kWrongCrc, 0x15, 0, 1, 0});
  VerifyResult r = b->Verify(seg, progress_);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.first_mismatch, 0x20000u);
  EXPECT_EQ(r.detail, fmt::format("CRC-32 0x{:08x}, expected 0x{:08x}, but a read-back matches "
                                  "byte for byte",
                                  Crc32(seg.data) ^ 0x01, Crc32(seg.data)));
}

TEST_F(BootloaderBackendTest, EraseAndReadUsePages) {
  peer_.WriteFlash(0x20000, Random(1024, 2));
  auto b = Connected(FastSettings(peer_.port_path()));
  b->Erase(0x20000, 1024, progress_);
  EXPECT_EQ(b->Read(0x20000, 1024), std::vector<uint8_t>(1024, 0x01));  // 1.1.x on an nRF52
  EXPECT_EQ(Count(0x06), 2u);
  auto e = Capture([&] { b->Erase(0x20100, 512, progress_); });
  EXPECT_EQ(e.Describe(),
            "cannot erase 0x00020100 +512 with the Tock bootloader: it erases whole 512-byte "
            "pages below 4 GiB");
}

TEST_F(BootloaderBackendTest, WriteIntoTheBootloaderIsRefusedByTheDevice) {
  auto b = Connected(FastSettings(peer_.port_path()));
  auto e = Capture([&] { b->Write(Segment{0x8000, Random(512, 1), "low"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  EXPECT_EQ(e.Describe(),
            "the Tock bootloader refused the command: BADADDR (0x12), the address is outside "
            "writable flash or inside the bootloader (" +
                peer_.port_path() + ": WRITE_PAGE 0x00008000)");
}

TEST_F(BootloaderBackendTest, StartStoresTheStartAddressAndExits) {
  auto s = FastSettings(peer_.port_path());
  s.start_address = 0x30000;
  auto b = Connected(s);
  b->Start(0x30101);
  for (int i = 0; i < 100 && !peer_.kernel_started(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(peer_.kernel_started());
  EXPECT_EQ(peer_.stored_start_address(), 0x30000u);
  EXPECT_EQ(b->StartReport(), "EXIT sent");  // a pty has no DTR line to pulse
}

TEST_F(BootloaderBackendTest, BoardMismatchIsRefusedUnlessForced) {
  auto s = FastSettings(peer_.port_path());
  s.board = "clue_nrf52840";
  auto e = Capture([&] { Connected(s); });
  EXPECT_EQ(e.category(), ErrorCategory::kUsage);
  EXPECT_EQ(e.Describe(), "the bootloader on " + peer_.port_path() +
                              " belongs to board \"nano33ble\", not clue_nrf52840; pass --board "
                              "nano33ble, or --force to write the clue_nrf52840 image anyway");
  s.force = true;
  Connected(s);
  EXPECT_EQ(progress_.messages.back(),
            "warning: the bootloader on " + peer_.port_path() +
                " belongs to board \"nano33ble\", not clue_nrf52840; writing anyway (--force)");
  s.force = false;
  s.board = "nano33ble_rev2";  // runs the nano33ble bootloader
  Connected(s);
}

TEST_F(BootloaderBackendTest, PageWithMoreThan79EscapeBytesIsRefusedBeforeWriting) {
  auto b = Connected(FastSettings(peer_.port_path()));
  auto data = Random(1024, 12);
  std::replace(data.begin(), data.end(), uint8_t{0xFC}, uint8_t{0x00});
  std::fill(data.begin() + 512, data.begin() + 512 + 80, 0xFC);
  auto e = Capture([&] { b->Write(Segment{0x20000, data, "kernel"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  EXPECT_EQ(e.Describe(),
            "the page at 0x00020200 holds 80 bytes 0xFC; bootloader 1.1.3 on " + peer_.port_path() +
                " receives at most 79 per page (each is sent twice and its 600-byte receive "
                "buffer overflows); nothing of this segment was written; flash this image with "
                "another method (e.g. --method jlink, openocd or probe-rs)");
  EXPECT_EQ(Count(0x07), 0u);
  data[512] = 0;  // 79 fit
  b->Write(Segment{0x20000, data, "kernel"}, progress_);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 1024), data);
}

class Hail101BackendTest : public BootloaderBackendTest {
 protected:
  Hail101BackendTest() : BootloaderBackendTest(testing::Hail101Peer()) {}

  SerialOpener OpenerWithModemLines() {
    return [this](const std::string& p, uint32_t baud) -> std::unique_ptr<SerialLink> {
      auto link = std::make_unique<ModemLineLink>(TermiosSerialLink::Open(p, baud), peer_);
      link->also_record = &lines_;
      return link;
    };
  }
  std::vector<std::pair<bool, bool>> lines_;  ///< Modem line changes, kept after the link closes.
};

TEST_F(Hail101BackendTest, BlankPagesAreErasedWhereErasedFlashReadsFF) {
  peer_.WriteFlash(0x20000, Random(2048, 3));
  auto data = Random(2048, 4);
  std::fill(data.begin() + 512, data.begin() + 1536, 0xFF);
  auto b = Connected(FastSettings(peer_.port_path()));
  Segment seg{0x20000, data, "with blanks"};
  b->Write(seg, progress_);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 2048), data);
  EXPECT_EQ(Count(0x07), 2u);
  EXPECT_EQ(Count(0x06), 2u);
  EXPECT_TRUE(b->Verify(seg, progress_).match);
}

TEST_F(Hail101BackendTest, KernelIsStartedByADtrPulseNotByExit) {
  auto s = FastSettings(peer_.port_path());
  s.entry = BootloaderEntry::kNone;
  auto b = std::make_unique<TockBootloaderBackend>(s, OpenerWithModemLines(), Lister(), QuietLog());
  b->Connect(progress_);
  b->Start(std::nullopt);  // closes the link
  EXPECT_EQ(Count(0x22), 0u);
  EXPECT_EQ(lines_, (std::vector<std::pair<bool, bool>>{{true, false}, {false, false}}));
  EXPECT_TRUE(peer_.kernel_started());
  EXPECT_EQ(b->StartReport(), "DTR pulsed to reset into the kernel (bootloader 1.0.1 has no EXIT)");
}

TEST_F(Hail101BackendTest, WithoutADtrLineTheKernelIsNotStartedAndItSaysSo) {
  auto b = Connected(FastSettings(peer_.port_path()));
  b->Start(std::nullopt);
  EXPECT_EQ(Count(0x22), 0u);
  EXPECT_FALSE(peer_.kernel_started());
  EXPECT_EQ(b->StartReport(), "kernel not started: bootloader 1.0.1 has no EXIT and " +
                                  peer_.port_path() +
                                  " has no DTR line; press the board's reset button");
}

TEST_F(Hail101BackendTest, StartAddressIsRefusedBeforeAnythingIsWritten) {
  auto s = FastSettings(peer_.port_path());
  s.start_address = 0x30000;
  auto e = Capture([&] { Connected(s); });
  EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  EXPECT_EQ(e.Describe(),
            "/start_address: start_address 0x00030000 in the tock-bootloader flash method needs "
            "bootloader 1.1.0 or later, but " +
                peer_.port_path() +
                " runs 1.0.1, which cannot store a start address; nothing was written; remove "
                "start_address (this bootloader starts the kernel at 0x10000) or update the "
                "bootloader");
  EXPECT_EQ(Count(0x07), 0u);
  EXPECT_EQ(Count(0x23), 0u);
}

class LegacyCBackendTest : public BootloaderBackendTest {
 protected:
  LegacyCBackendTest() : BootloaderBackendTest(testing::ImixLegacyCPeer()) {}
};

TEST_F(LegacyCBackendTest, CrcHoldingAnEscapeByteVerifies) {
  auto b = Connected(FastSettings(peer_.port_path()));
  // The first random image whose CRC-32 holds a 0xFC byte (about 1 in 64).
  std::vector<uint8_t> data;
  for (uint32_t seed = 100;; ++seed) {
    data = Random(512, seed);
    uint32_t crc = Crc32(data);
    if ((crc & 0xFF) == 0xFC || (crc >> 8 & 0xFF) == 0xFC || (crc >> 16 & 0xFF) == 0xFC ||
        crc >> 24 == 0xFC)
      break;
  }
  Segment seg{0x20000, data, "kernel"};
  b->Write(seg, progress_);
  EXPECT_TRUE(b->Verify(seg, progress_).match);
}

TEST_F(LegacyCBackendTest, SwitchesToTheFastBaudRate) {
  auto s = FastSettings(peer_.port_path());
  s.fast_baud = 921600;
  auto b = Connected(s);
  EXPECT_EQ(b->baud(), 921600u);
  EXPECT_EQ(peer_.device_baud(), 921600u);
  Segment seg{0x20000, Random(4096, 11), "fast"};
  b->Write(seg, progress_);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 4096), seg.data);
  EXPECT_EQ(progress_.messages.back(), "switched to 921600 baud");
}

TEST_F(BootloaderBackendTest, VanishedPortDuringWriteIsATransportError) {
  peer_.AddFault({PeerFault::Kind::kVanish, 0x07, 1, 5, 0});
  auto b = Connected(FastSettings(peer_.port_path()));
  std::string path = peer_.port_path();
  auto e = Capture([&] { b->Write(Segment{0x20000, Random(8192, 1), "kernel"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(), "serial port " + path +
                              " vanished; the board was unplugged or reset; reconnect it and run "
                              "the command again");
}

TEST_F(BootloaderBackendTest, WithoutAPortTheOnlyTockPortIsUsed) {
  auto b = Connected(FastSettings(""));
  EXPECT_EQ(progress_.messages.back(),
            "Tock bootloader 1.1.3 on " + peer_.port_path() + " (board nano33ble)");
}

TEST_F(BootloaderBackendTest, WithoutAPortOrABoardItSaysSo) {
  class NoPorts : public SerialPortLister {
   public:
    std::vector<SerialPortInfo> ListSerialPorts() override { return {}; }
  };
  TockBootloaderBackend b(FastSettings(""), nullptr, std::make_shared<NoPorts>(), QuietLog());
  auto e = Capture([&] { b.Connect(progress_); });
  EXPECT_EQ(e.Describe(),
            "no serial port of a Tock board was found; connect the board, or pass --serial (list "
            "ports with: tockctl devices)");
}

TEST_F(BootloaderBackendTest, PortThatDoesNotExistIsATransportError) {
  auto b = Make(FastSettings("/dev/tockctl-no-such-port"));
  auto e = Capture([&] { b->Connect(progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "cannot open serial port /dev/tockctl-no-such-port: No such file or directory "
            "(/dev/tockctl-no-such-port: open); check the path; ls /dev/serial/by-id/ lists USB "
            "serial ports");
}

PeerOptions RunningKernel(bool touch_resets) {
  PeerOptions o;
  o.in_bootloader = false;
  o.touch_resets = touch_resets;
  return o;
}

class KernelRunningTest : public BootloaderBackendTest {
 protected:
  KernelRunningTest() : BootloaderBackendTest(RunningKernel(true)) {}
};

TEST_F(KernelRunningTest, BaudTouchResetsAndTheNewPortIsFoundBySerialNumber) {
  std::string before = peer_.port_path();
  auto b = Connected(FastSettings(before));
  EXPECT_EQ(peer_.reenumerations(), 1);
  EXPECT_TRUE(peer_.in_bootloader());
  Segment seg{0x20000, Random(1024, 1), "kernel"};
  b->Write(seg, progress_);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 1024), seg.data);
  EXPECT_EQ(progress_.messages.front(), "resetting the board into its bootloader");
}

TEST_F(KernelRunningTest, NoEntryMeansNoPong) {
  auto s = FastSettings(peer_.port_path());
  s.entry = BootloaderEntry::kNone;
  auto b = Make(s);
  auto e = Capture([&] { b->Connect(progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "the Tock bootloader did not answer PING (3 attempts) (" + peer_.port_path() +
                ": enter bootloader); check that the board has the Tock bootloader and that this "
                "is its port; hold the bootloader button while resetting the board, then retry "
                "with \"entry\": \"none\"");
}

class KernelWithoutUsbResetTest : public BootloaderBackendTest {
 protected:
  KernelWithoutUsbResetTest() : BootloaderBackendTest(RunningKernel(false)) {}
};

TEST_F(KernelWithoutUsbResetTest, DtrRtsPulseEntersTheBootloader) {
  ModemLineLink* modem = nullptr;
  auto opener = [&](const std::string& p, uint32_t baud) -> std::unique_ptr<SerialLink> {
    auto link = std::make_unique<ModemLineLink>(TermiosSerialLink::Open(p, baud), peer_);
    modem = link.get();
    return link;
  };
  TockBootloaderBackend b(FastSettings(peer_.port_path()), opener, Lister(), QuietLog());
  b.Connect(progress_);
  ASSERT_NE(modem, nullptr);
  EXPECT_EQ(modem->lines,
            (std::vector<std::pair<bool, bool>>{{true, true}, {false, true}, {false, false}}));
  EXPECT_EQ(peer_.reenumerations(), 0);
  EXPECT_TRUE(peer_.in_bootloader());
}

TEST_F(KernelWithoutUsbResetTest, BaudTouchThatDoesNotResetIsReported) {
  auto s = FastSettings(peer_.port_path());
  s.entry = BootloaderEntry::kBaudTouch;
  auto b = Make(s);
  auto e = Capture([&] { b->Connect(progress_); });
  EXPECT_EQ(e.Describe(),
            "the board did not reset when its port was set to 1200 baud (" + peer_.port_path() +
                ": enter bootloader); use \"entry\": \"dtr-rts\" for boards with a USB-serial "
                "chip, or start the bootloader by hand and use \"entry\": \"none\"");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
