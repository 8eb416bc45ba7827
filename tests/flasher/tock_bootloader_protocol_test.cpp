// The Tock bootloader client against the bootloader peer over a real pseudo-terminal.
#include "flasher/tock_bootloader_protocol.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>

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
using K = PeerFault::Kind;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + seed);
  return v;
}

PeerFault Fault(K kind, uint8_t command, int times = 1, int skip = 0, uint8_t code = 0x12) {
  PeerFault f;
  f.kind = kind;
  f.command = command;
  f.times = times;
  f.skip = skip;
  f.refuse_code = code;
  return f;
}

const char* kHint =
    "check that the board is in bootloader mode, that no other program uses the port, and the "
    "baud rate";

class BootloaderProtocolTest : public ::testing::Test {
 protected:
  explicit BootloaderProtocolTest(PeerOptions options = {})
      : peer_(options),
        path_(peer_.port_path()),
        link_(TermiosSerialLink::Open(path_, 115200)),
        client_(*link_, BootloaderTimeouts{std::chrono::milliseconds(100), 3}, QuietLog()) {}

  size_t Count(uint8_t command) {
    auto c = peer_.commands();
    return static_cast<size_t>(std::count(c.begin(), c.end(), command));
  }
  std::string Context(const std::string& operation) {
    return " (" + path_ + ": " + operation + ")";
  }

  TockBootloaderPeer peer_;
  std::string path_;
  std::unique_ptr<SerialLink> link_;
  TockBootloaderClient client_;
};

TEST(BootloaderFramingTest, EscapesPayloadAndPrependsSync) {
  std::vector<uint8_t> payload{0x01, 0xFC, 0x02};
  EXPECT_EQ(EncodeBootloaderCommand(BootloaderCommand::kWritePage, payload, true),
            (std::vector<uint8_t>{0x00, 0xFC, 0x05, 0x01, 0xFC, 0xFC, 0x02, 0xFC, 0x07}));
  EXPECT_EQ(EncodeBootloaderCommand(BootloaderCommand::kPing, {}, false),
            (std::vector<uint8_t>{0xFC, 0x01}));
}

TEST(BootloaderFramingTest, NamesEveryReplyCode) {
  EXPECT_EQ(BootloaderResponseName(0x12), "BADADDR");
  EXPECT_EQ(BootloaderResponseName(0x26), "CHANGE_BAUD_FAIL");
  EXPECT_EQ(BootloaderResponseName(0x99), "0x99");
  EXPECT_EQ(BootloaderCommandName(0x15), "CRC_INTERNAL_FLASH");
  EXPECT_EQ(BootloaderResponseMeaning(0x15), "");
  EXPECT_EQ(BootloaderResponseMeaning(0x13), "internal error while accessing flash");
}

TEST(BootloaderFramingTest, DecodesAttributeSlots) {
  std::vector<uint8_t> slot(64, 0);
  std::string key = "board";
  std::copy(key.begin(), key.end(), slot.begin());
  slot[8] = 4;
  slot[9] = 'h';
  slot[10] = 'a';
  slot[11] = 'i';
  slot[12] = 'l';
  auto a = DecodeBootloaderAttribute(slot);
  EXPECT_TRUE(a.present);
  EXPECT_EQ(a.key, "board");
  EXPECT_EQ(std::string(a.value.begin(), a.value.end()), "hail");
  EXPECT_FALSE(DecodeBootloaderAttribute(std::vector<uint8_t>(64, 0xFF)).present);
  auto short_slot = Capture([] { DecodeBootloaderAttribute(std::vector<uint8_t>(10, 0)); });
  EXPECT_EQ(short_slot.category(), ErrorCategory::kInvalidInput);
}

TEST(BootloaderFramingTest, RejectsInfoThatIsNotJson) {
  std::vector<uint8_t> payload(193, 0);
  payload[0] = 3;
  payload[1] = 'a';
  payload[2] = 'b';
  payload[3] = 'c';
  auto e = Capture([&] { DecodeBootloaderInfo(payload, "/dev/ttyACM0"); });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  EXPECT_EQ(e.Describe(),
            "INFO reply from the Tock bootloader is not a JSON object: abc (/dev/ttyACM0: INFO)");
}

TEST_F(BootloaderProtocolTest, PingGetsPong) {
  client_.Ping();
  EXPECT_TRUE(client_.TryPing());
  EXPECT_EQ(peer_.commands(), (std::vector<uint8_t>{0x05, 0x01, 0x05, 0x01}));
}

TEST_F(BootloaderProtocolTest, InfoReportsVersionAndStartAddress) {
  BootloaderInfo info = client_.Info();
  EXPECT_EQ(info.version, "1.1.3");
  EXPECT_EQ(info.name, "Tock Bootloader");
  EXPECT_EQ(info.start_address, 0x10000u);
}

TEST_F(BootloaderProtocolTest, IdIsReportedAsUnsupported) {
  EXPECT_FALSE(client_.Id().has_value());
  EXPECT_EQ(Count(0x04), 1u);
}

TEST_F(BootloaderProtocolTest, ResetSendsTheSyncSequenceOnly) {
  client_.Reset();
  client_.Ping();
  EXPECT_EQ(peer_.commands(), (std::vector<uint8_t>{0x05, 0x05, 0x01}));
}

TEST_F(BootloaderProtocolTest, WritePageCarriesEscapeBytesBothWays) {
  auto page = Pattern(512, 0);
  std::fill(page.begin() + 100, page.begin() + 140, 0xFC);
  client_.WritePage(0x20000, page);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 512), page);
  EXPECT_EQ(client_.ReadRange(0x20000, 512), page);
}

TEST_F(BootloaderProtocolTest, ErasePageOnAnNrf52BootloaderFillsWithOnes) {
  // 1.1.x rewrites the 512 bytes inside the nRF52's 4 KiB page with the value 1.
  peer_.WriteFlash(0x20200, Pattern(512, 3));
  client_.ErasePage(0x20200);
  EXPECT_EQ(peer_.ReadFlash(0x20200, 512), std::vector<uint8_t>(512, 0x01));
}

TEST_F(BootloaderProtocolTest, ReadRangeSplitsAtTheProtocolLimit) {
  auto data = Pattern(5000, 9);
  peer_.WriteFlash(0x30000, data);
  EXPECT_EQ(client_.ReadRange(0x30000, 5000), data);
  EXPECT_EQ(Count(0x11), 2u);
}

TEST_F(BootloaderProtocolTest, AttributesRoundTrip) {
  auto board = client_.GetAttribute(0);
  EXPECT_TRUE(board.present);
  EXPECT_EQ(board.key, "board");
  EXPECT_EQ(std::string(board.value.begin(), board.value.end()), "nano33ble");
  EXPECT_FALSE(client_.GetAttribute(7).present);
  std::vector<uint8_t> value{'0', 'x', 0xFC, '4'};
  client_.SetAttribute(7, "appaddr", value);
  auto back = client_.GetAttribute(7);
  EXPECT_EQ(back.key, "appaddr");
  EXPECT_EQ(back.value, value);
}

TEST_F(BootloaderProtocolTest, SetAttributeRefusesWhatTheProtocolCannotCarry) {
  std::vector<uint8_t> big(56, 'x');
  auto e = Capture([&] { client_.SetAttribute(3, "key", big); });
  EXPECT_EQ(e.category(), ErrorCategory::kUsage);
  EXPECT_EQ(e.Describe(),
            "attribute 3 \"key\" cannot be stored: the index must be 0-15, the key 1-8 bytes and "
            "the value 1-55 bytes (got 56 bytes)");
}

TEST_F(BootloaderProtocolTest, CrcMatchesTheFlashContents) {
  auto data = Pattern(3000, 1);
  peer_.WriteFlash(0x40000, data);
  EXPECT_EQ(client_.CrcInternalFlash(0x40000, 3000), Crc32(data));
  EXPECT_EQ(Crc32(std::vector<uint8_t>{'1', '2', '3', '4', '5', '6', '7', '8', '9'}), 0xCBF43926u);
}

TEST_F(BootloaderProtocolTest, SetStartAddressIsStored) {
  client_.SetStartAddress(0x30000);
  EXPECT_EQ(peer_.stored_start_address(), 0x30000u);
  EXPECT_EQ(client_.Info().start_address, 0x30000u);
}

TEST_F(BootloaderProtocolTest, ExitLeavesTheBootloader) {
  client_.Exit();
  for (int i = 0; i < 100 && !peer_.kernel_started(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(peer_.kernel_started());
  EXPECT_FALSE(client_.TryPing());
}

TEST_F(BootloaderProtocolTest, BadAddressIsADeviceError) {
  auto e = Capture([&] { client_.WritePage(0x0, Pattern(512, 0)); });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  EXPECT_EQ(e.Describe(),
            "the Tock bootloader refused the command: BADADDR (0x12), the address is outside "
            "writable flash or inside the bootloader" +
                Context("WRITE_PAGE 0x00000000"));
  EXPECT_EQ(Count(0x07), 1u);  // refusals are not retried
}

TEST_F(BootloaderProtocolTest, InternalErrorIsADeviceError) {
  peer_.AddFault(Fault(K::kRefuse, 0x06, 1, 0, 0x13));
  auto e = Capture([&] { client_.ErasePage(0x20000); });
  EXPECT_EQ(e.category(), ErrorCategory::kDeviceReported);
  EXPECT_EQ(e.Describe(),
            "the Tock bootloader refused the command: INTERROR (0x13), internal error while "
            "accessing flash" +
                Context("ERASE_PAGE 0x00020000"));
}

TEST_F(BootloaderProtocolTest, UnknownCommandIsADeviceError) {
  peer_.AddFault(Fault(K::kRefuse, 0x23, 1, 0, 0x16));
  auto e = Capture([&] { client_.SetStartAddress(0x40000); });
  EXPECT_EQ(e.Describe(),
            "the Tock bootloader refused the command: UNKNOWN (0x16), it does not know this "
            "command (the bootloader may be too old)" +
                Context("SET_START_ADDRESS 0x00040000"));
}

TEST_F(BootloaderProtocolTest, LostReplyIsRetried) {
  peer_.AddFault(Fault(K::kNoReply, 0x07));
  auto page = Pattern(512, 5);
  client_.WritePage(0x20000, page);
  EXPECT_EQ(Count(0x07), 2u);
  EXPECT_EQ(peer_.ReadFlash(0x20000, 512), page);
}

TEST_F(BootloaderProtocolTest, SilenceIsATimeout) {
  peer_.AddFault(Fault(K::kNoReply, 0x01, -1));
  auto e = Capture([&] { client_.Ping(); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(), "no reply from the Tock bootloader within 100 ms after 3 attempts" +
                              Context("PING") + "; " + kHint);
  EXPECT_EQ(Count(0x01), 3u);
}

TEST_F(BootloaderProtocolTest, CorruptedHeaderIsGarbled) {
  peer_.AddFault(Fault(K::kCorruptHeader, 0x15, -1));
  auto e = Capture([&] { client_.CrcInternalFlash(0x20000, 512); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "garbled reply from the Tock bootloader: expected 0xfc, got 0x00 after 3 attempts" +
                Context("CRC_INTERNAL_FLASH 0x00020000 +512") +
                "; line noise or a baud-rate mismatch; check the cable and the baud rate");
}

TEST_F(BootloaderProtocolTest, CorruptedReplyOnceIsRecovered) {
  peer_.AddFault(Fault(K::kCorruptHeader, 0x14));
  EXPECT_TRUE(client_.GetAttribute(1).present);
  EXPECT_EQ(Count(0x14), 2u);
}

TEST_F(BootloaderProtocolTest, StrayEscapeInDataIsGarbled) {
  peer_.AddFault(Fault(K::kStrayEscape, 0x14, -1));
  auto e = Capture([&] { client_.GetAttribute(0); });
  EXPECT_EQ(e.Describe(),
            "garbled reply from the Tock bootloader: 0xfc followed by 0x01 inside the data after "
            "3 attempts" +
                Context("GET_ATTRIBUTE 0") +
                "; line noise or a baud-rate mismatch; check the cable and the baud rate");
}

TEST_F(BootloaderProtocolTest, WrongReplyCodeIsUnexpected) {
  peer_.AddFault(Fault(K::kWrongCode, 0x06, -1));
  auto e = Capture([&] { client_.ErasePage(0x20000); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(),
            "unexpected reply from the Tock bootloader: PONG (0x11) instead of OK (0x15) after 3 "
            "attempts" +
                Context("ERASE_PAGE 0x00020000") + "; " + kHint);
}

TEST_F(BootloaderProtocolTest, TruncatedReplyTimesOut) {
  peer_.AddFault(Fault(K::kTruncate, 0x11, -1));
  auto e = Capture([&] { client_.ReadRange(0x20000, 100); });
  EXPECT_EQ(e.Describe(),
            "reply from the Tock bootloader stopped after 52 of 102 bytes after 3 attempts" +
                Context("READ_RANGE 0x00020000 +100") + "; " + kHint);
}

TEST_F(BootloaderProtocolTest, StrayBytesAfterCrcAreDiscarded) {
  peer_.AddFault(Fault(K::kExtraBytes, 0x15));
  peer_.WriteFlash(0x20000, Pattern(512, 2));
  EXPECT_EQ(client_.CrcInternalFlash(0x20000, 512), Crc32(Pattern(512, 2)));
  client_.Ping();
  EXPECT_EQ(client_.CrcInternalFlash(0x20000, 512), Crc32(Pattern(512, 2)));
}

TEST_F(BootloaderProtocolTest, VanishedPortStopsTheTransfer) {
  peer_.AddFault(Fault(K::kVanish, 0x07, 1, 2));
  client_.WritePage(0x20000, Pattern(512, 0));
  client_.WritePage(0x20200, Pattern(512, 1));
  auto e = Capture([&] { client_.WritePage(0x20400, Pattern(512, 2)); });
  EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  EXPECT_EQ(e.Describe(), "serial port " + path_ +
                              " vanished; the board was unplugged or reset; reconnect it and run "
                              "the command again");
  EXPECT_EQ(peer_.port_path(), "");
}

PeerOptions NoBaudChange() {
  PeerOptions o;
  o.supports_baud_change = false;
  return o;
}

class BootloaderWithoutBaudChangeTest : public BootloaderProtocolTest {
 protected:
  BootloaderWithoutBaudChangeTest() : BootloaderProtocolTest(NoBaudChange()) {}
};

TEST_F(BootloaderWithoutBaudChangeTest, DeclinedBaudChangeKeepsTheOldRate) {
  EXPECT_FALSE(client_.ChangeBaudRate(115200, 921600));
  EXPECT_EQ(peer_.device_baud(), 115200u);
  client_.Ping();
}

TEST(BootloaderGenerationTest, VersionsMapToTheirGeneration) {
  EXPECT_EQ(GenerationOf("0.6.0"), BootloaderGeneration::kLegacyC);
  EXPECT_EQ(GenerationOf("1.0.1"), BootloaderGeneration::kRust10);
  EXPECT_EQ(GenerationOf("1.1.3"), BootloaderGeneration::kRust11);
  EXPECT_EQ(GenerationOf(""), BootloaderGeneration::kRust11);
  EXPECT_TRUE(ErasedPageReadsFF(BootloaderGeneration::kRust10));
  EXPECT_FALSE(ErasedPageReadsFF(BootloaderGeneration::kRust11));
}

class Hail101ProtocolTest : public BootloaderProtocolTest {
 protected:
  Hail101ProtocolTest() : BootloaderProtocolTest(testing::Hail101Peer()) {}
};

TEST_F(Hail101ProtocolTest, ErasePageFillsWithFFAndExitIsIgnored) {
  peer_.WriteFlash(0x20200, Pattern(512, 3));
  client_.ErasePage(0x20200);
  EXPECT_EQ(peer_.ReadFlash(0x20200, 512), std::vector<uint8_t>(512, 0xFF));
  BootloaderInfo info = client_.Info();
  EXPECT_EQ(info.generation, BootloaderGeneration::kRust10);
  EXPECT_FALSE(info.start_address.has_value());
  client_.Exit();
  EXPECT_FALSE(client_.TryPing());  // 1.0.1 stops listening after a command it does not know
  EXPECT_FALSE(peer_.kernel_started());
  EXPECT_TRUE(peer_.deaf());
}

class LegacyCProtocolTest : public BootloaderProtocolTest {
 protected:
  LegacyCProtocolTest() : BootloaderProtocolTest(testing::ImixLegacyCPeer()) {}
};

// The first of Pattern(512, seed)-based buffers whose CRC-32 holds a 0xFC byte.
std::vector<uint8_t> DataWithFcInCrc() {
  for (uint8_t seed = 0;; ++seed) {
    auto data = Pattern(512, seed);
    data[0] = static_cast<uint8_t>(seed * 13);
    data[1] = static_cast<uint8_t>(seed >> 3);
    uint32_t crc = Crc32(data);
    for (int i = 0; i < 4; ++i)
      if (static_cast<uint8_t>(crc >> (8 * i)) == 0xFC) return data;
  }
}

TEST_F(LegacyCProtocolTest, EscapedCrcReplyIsUnescaped) {
  auto data = DataWithFcInCrc();
  peer_.WriteFlash(0x20000, data);
  EXPECT_EQ(client_.Info().generation, BootloaderGeneration::kLegacyC);
  EXPECT_EQ(client_.CrcInternalFlash(0x20000, 512), Crc32(data));
  client_.Ping();  // nothing of the reply was left behind
}

TEST_F(LegacyCProtocolTest, ChangesBaudRateInTwoSteps) {
  EXPECT_TRUE(client_.ChangeBaudRate(115200, 921600));
  EXPECT_EQ(peer_.device_baud(), 921600u);
  client_.Ping();
  EXPECT_EQ(peer_.garbled_bytes(), 0u);
}

TEST_F(LegacyCProtocolTest, SetStartAddressIsAnUnknownCommand) {
  auto e = Capture([&] { client_.SetStartAddress(0x30000); });
  EXPECT_EQ(e.Describe(),
            "the Tock bootloader refused the command: UNKNOWN (0x16), it does not know this "
            "command (the bootloader may be too old)" +
                Context("SET_START_ADDRESS 0x00030000"));
}

TEST_F(BootloaderProtocolTest, Nrf52BootloaderGoesDeafOnAPageWithMoreThan79EscapeBytes) {
  auto page = Pattern(512, 1);
  std::replace(page.begin(), page.end(), uint8_t{0xFC}, uint8_t{0});
  std::fill(page.begin(), page.begin() + 79, 0xFC);
  client_.WritePage(0x20000, page);  // 79 fit into the 600-byte buffer
  EXPECT_EQ(peer_.ReadFlash(0x20000, 512), page);
  page[79] = 0xFC;
  EXPECT_EQ(Capture([&] { client_.WritePage(0x20200, page); }).category(),
            ErrorCategory::kTransport);
  EXPECT_TRUE(peer_.deaf());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
