// The app commands through the real binary against the Tock serial bootloader peer on a pty
// (tock-bootloader 1.1.3 on a nano33ble: app flash at 0x50000, a Cortex-M4 MPU whose regions are
// powers of two): install, list, reinstall with nothing to change, flags, sticky refusals,
// update, uninstall and erase-apps, with the pages written counted on the wire.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/tab.h"
#include "flasher/tock_bootloader_protocol.h"
#include "tests/flasher/tock_bootloader_peer.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::CliRun;
using tockctl::testing::RunTockctl;

constexpr uint32_t kAppFlash = 0x50000;

std::string Fixture(const std::string& name) {
  return std::string(TOCKCTL_SOURCE_DIR) + "/tests/fixtures/apps/" + name;
}

// The Cortex-M4 TBF of a fixture TAB, as the project's writer made it.
std::vector<uint8_t> CortexM4Tbf(const std::string& tab) {
  const apps::AppBundle bundle = apps::LoadAppBundle(Fixture(tab));
  for (const apps::TabTbf& t : bundle.tbfs)
    if (t.arch == "cortex-m4") return t.tbf.bytes;
  ADD_FAILURE() << tab << " has no cortex-m4.tbf";
  return {};
}

// A command that succeeded ended with EXIT, which the paced line may still carry when the
// tockctl process has ended; the board has restarted once the peer has read it.
void WaitForTheRestart(const testing::TockBootloaderPeer& peer) {
  for (int i = 0; i < 500 && !peer.kernel_started(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(peer.kernel_started()) << "the peer never read an EXIT";
}

CliRun App(testing::TockBootloaderPeer& peer, std::vector<std::string> args) {
  args.insert(args.begin(), "app");
  for (const char* a : {"--board", "nano33ble", "--serial"}) args.emplace_back(a);
  args.push_back(peer.port_path());
  CliRun r = RunTockctl(args);
  if (r.exit_code == 0) WaitForTheRestart(peer);
  return r;
}

size_t PagesWritten(const testing::TockBootloaderPeer& peer) {
  const auto c = peer.commands();
  return static_cast<size_t>(
      std::count(c.begin(), c.end(), static_cast<uint8_t>(BootloaderCommand::kWritePage)));
}

std::string LastLine(const std::string& text) {
  std::string t = text.substr(0, text.find_last_not_of('\n') + 1);
  return t.substr(t.find_last_of('\n') + 1);
}

nlohmann::json ListJson(testing::TockBootloaderPeer& peer) {
  CliRun r =
      RunTockctl({"--json", "app", "list", "--board", "nano33ble", "--serial", peer.port_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  WaitForTheRestart(peer);
  return nlohmann::json::parse(LastLine(r.out));  // after the progress events
}

// Installs blink (2 KiB) and rot13 (5 KiB, so an 8 KiB MPU region) on a fresh peer.
void InstallBoth(testing::TockBootloaderPeer& peer) {
  CliRun r = App(peer, {"install", Fixture("blink.tab"), Fixture("rot13_service.tab")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(AppBootloaderCliTest, InstallPlacesLargestFirstAndEndsTheList) {
  testing::TockBootloaderPeer peer;
  CliRun r = App(peer, {"install", Fixture("blink.tab"), Fixture("rot13_service.tab")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rot13 = CortexM4Tbf("rot13_service.tab");
  const auto blink = CortexM4Tbf("blink.tab");
  ASSERT_EQ(rot13.size(), 5120u);
  ASSERT_EQ(blink.size(), 2048u);
  EXPECT_EQ(peer.ReadFlash(kAppFlash, rot13.size()), rot13);
  EXPECT_EQ(peer.ReadFlash(kAppFlash + 0x2000, blink.size()), blink);
  // 0x51400..0x52000 is a padding app; after blink the kernel's list ends.
  const auto padding = peer.ReadFlash(kAppFlash + 0x1400, 16);
  EXPECT_EQ(padding[0], 2);  // TBF version 2, header_size 16, total_size 0xc00
  EXPECT_EQ(padding[2], 16);
  EXPECT_EQ(padding[4] | padding[5] << 8, 0xc00);
  EXPECT_EQ(peer.ReadFlash(kAppFlash + 0x2800, 16), std::vector<uint8_t>(16, 0xFF));
  // The bootloader rewrites 512-byte pages on its own (the nRF52's 4 KiB erase pages are its
  // business), so the change is compared and written in 512-byte pages from 0x50000 to the
  // cleared header at 0x52800: 15 written; the 13 others (the padding app's body, and the rest of
  // the page after blink) already hold 0xFF, which a CRC of each tells without reading it.
  EXPECT_EQ(PagesWritten(peer), 15u);
  EXPECT_EQ(LastLine(r.err).rfind("Installed \"org.tockos.rot13\", \"blink\" on nano33ble via "
                                  "tock-bootloader: wrote 15 pages (7.5 KiB), 13 unchanged, in ",
                                  0),
            0u)
      << r.err;
  EXPECT_NE(LastLine(r.err).find(", verified, EXIT sent"), std::string::npos) << r.err;
  EXPECT_TRUE(peer.kernel_started());
}

TEST(AppBootloaderCliTest, ListShowsWhatTheBoardHolds) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  peer.EnterBootloader();
  CliRun r = App(peer, {"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ADDRESS     SIZE  NAME              VERSION  FLAGS\n"
            "0x00050000  5120  org.tockos.rot13  3        enabled\n"
            "0x00052000  2048  blink             1        enabled\n");
  EXPECT_TRUE(peer.kernel_started());  // list leaves the bootloader for the kernel, as tockloader
  peer.EnterBootloader();
  const nlohmann::json j = ListJson(peer);
  ASSERT_EQ(j["apps"].size(), 2u);
  EXPECT_EQ(j["method"], "tock-bootloader");
  EXPECT_EQ(j["apps"][1]["name"], "blink");
  EXPECT_EQ(j["apps"][1]["address"], "0x52000");
  EXPECT_EQ(j["apps"][1]["sticky"], false);
}

TEST(AppBootloaderCliTest, ReinstallingTheSameAppsWritesNothing) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  peer.EnterBootloader();
  const size_t before = PagesWritten(peer);
  CliRun r = App(peer, {"install", Fixture("blink.tab")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PagesWritten(peer), before);
  EXPECT_EQ(LastLine(r.err),
            "Installed \"blink\" on nano33ble via tock-bootloader: nothing to change, every page "
            "already holds it")
      << r.err;
}

TEST(AppBootloaderCliTest, DisableRewritesOnlyTheHeaderPage) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  peer.EnterBootloader();
  const size_t before = PagesWritten(peer);
  CliRun r = App(peer, {"disable", "blink"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PagesWritten(peer), before + 1);
  EXPECT_NE(r.err.find("Disabled \"blink\" on nano33ble via tock-bootloader: wrote 1 page (512 B), "
                       "27 unchanged"),
            std::string::npos)
      << r.err;
  auto blink = CortexM4Tbf("blink.tab");
  const auto header = peer.ReadFlash(kAppFlash + 0x2000, 16);
  EXPECT_EQ(header[8] & 1, 0);  // enabled flag cleared
  // The checksum (XOR of the header words) still holds.
  uint32_t x = 0;
  const auto whole = peer.ReadFlash(kAppFlash + 0x2000, blink[2] | blink[3] << 8);
  for (size_t i = 0; i + 4 <= whole.size(); i += 4)
    if (i != 12)
      x ^= whole[i] | whole[i + 1] << 8 | whole[i + 2] << 16 | uint32_t{whole[i + 3]} << 24;
  EXPECT_EQ(x, static_cast<uint32_t>(whole[12] | whole[13] << 8 | whole[14] << 16 |
                                     uint32_t{whole[15]} << 24));
  peer.EnterBootloader();
  EXPECT_EQ(ListJson(peer)["apps"][1]["enabled"], false);
}

TEST(AppBootloaderCliTest, StickyAppsStayUnlessForced) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  peer.EnterBootloader();
  ASSERT_EQ(App(peer, {"sticky", "blink"}).exit_code, 0);
  peer.EnterBootloader();
  const auto flash = peer.ReadFlash(kAppFlash, 0x3000);
  CliRun r = App(peer, {"uninstall", "blink"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LastLine(r.err),
            "error: app \"blink\" is sticky, so uninstall keeps it; nothing was changed; add "
            "--force to remove sticky apps too, or unsticky it first");
  EXPECT_EQ(peer.ReadFlash(kAppFlash, 0x3000), flash);
  peer.EnterBootloader();
  r = App(peer, {"erase-apps"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  peer.EnterBootloader();
  nlohmann::json j = ListJson(peer);
  ASSERT_EQ(j["apps"].size(), 1u);
  EXPECT_EQ(j["apps"][0]["name"], "blink");
  peer.EnterBootloader();
  ASSERT_EQ(App(peer, {"erase-apps", "--force"}).exit_code, 0);
  peer.EnterBootloader();
  EXPECT_TRUE(ListJson(peer)["apps"].empty());
}

TEST(AppBootloaderCliTest, UninstallMovesTheRestUp) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  peer.EnterBootloader();
  CliRun r = App(peer, {"uninstall", "org.tockos.rot13"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peer.ReadFlash(kAppFlash, 2048), CortexM4Tbf("blink.tab"));
  EXPECT_EQ(peer.ReadFlash(kAppFlash + 2048, 16), std::vector<uint8_t>(16, 0xFF));
  peer.EnterBootloader();
  r = App(peer, {"list"});
  EXPECT_EQ(r.out,
            "ADDRESS     SIZE  NAME   VERSION  FLAGS\n"
            "0x00050000  2048  blink  1        enabled\n");
}

TEST(AppBootloaderCliTest, NamesThatAreNotInstalledChangeNothing) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  peer.EnterBootloader();
  const size_t before = PagesWritten(peer);
  CliRun r = App(peer, {"uninstall", "blinky"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LastLine(r.err),
            "error: app \"blinky\" is not installed on nano33ble, nothing was changed; the board "
            "holds \"org.tockos.rot13\", \"blink\" (tockctl app list)");
  peer.EnterBootloader();
  r = App(peer, {"update", Fixture("rot13_client.tab")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LastLine(r.err).substr(0, LastLine(r.err).find(';')),
            "error: app \"rot13_client\" is not installed on nano33ble, nothing was updated");
  EXPECT_EQ(PagesWritten(peer), before);
}

// The board going silent in the middle of the writes: one error line that says what app flash now
// holds and what to do, and running the command again finishes the job.
TEST(AppBootloaderCliTest, ABoardThatGoesSilentMidInstallIsReportedAndARerunFinishes) {
  testing::TockBootloaderPeer peer;
  peer.AddFault({testing::PeerFault::Kind::kNoReply,
                 static_cast<uint8_t>(BootloaderCommand::kWritePage), 3, 3, 0});  // all 3 attempts
  CliRun r = App(peer, {"install", Fixture("blink.tab"), Fixture("rot13_service.tab")});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(LastLine(r.err).find("; app flash is partly rewritten ("), std::string::npos) << r.err;
  EXPECT_NE(LastLine(r.err).find(" written), so the kernel may find a broken app list: run the "
                                 "same app command again (tockctl app list shows what the board "
                                 "holds)"),
            std::string::npos)
      << r.err;
  peer.EnterBootloader();
  r = App(peer, {"install", Fixture("blink.tab"), Fixture("rot13_service.tab")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peer.ReadFlash(kAppFlash, 5120), CortexM4Tbf("rot13_service.tab"));
  EXPECT_EQ(peer.ReadFlash(kAppFlash + 0x2000, 2048), CortexM4Tbf("blink.tab"));
}

// An app whose header checksum is wrong (the kernel does not load it) is listed with the finding.
TEST(AppBootloaderCliTest, ListShowsWhatTheKernelWouldRefuse) {
  testing::TockBootloaderPeer peer;
  InstallBoth(peer);
  auto header = peer.ReadFlash(kAppFlash + 0x2000, 16);
  header[12] ^= 0xFF;  // blink's checksum
  peer.WriteFlash(kAppFlash + 0x2000, header);
  peer.EnterBootloader();
  CliRun r = App(peer, {"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nfinding: \"blink\" at 0x00052000: checksum 0x"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" is wrong: expected 0x"), std::string::npos) << r.out;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
