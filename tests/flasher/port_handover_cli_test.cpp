// `tockctl flash` on the serial port a `tockctl console` or `tockctl trace` holds, through the real
// binaries and a pty device paced at 115200 baud (the Tock bootloader peer, whose kernel prints on
// the same UART): the holder lends the port, the flash runs, the holder takes the port back, and
// no byte of the bootloader's conversation ever reaches the console. Also `tockctl run`, which
// flashes and then opens the console on that port itself.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "common/file_io.h"
#include "tests/flasher/tock_bootloader_peer.h"
#include "tests/support/background_process.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::CliRun;
using tockctl::testing::RunTockctl;
using tockctl::testing::StartTockctl;
using tockctl::testing::TempDir;
using tockctl::testing::WaitFor;
using namespace std::chrono_literals;

// A board running its kernel (the bootloader is entered by hand: a pty has no DTR/RTS lines).
testing::PeerOptions RunningKernel() {
  testing::PeerOptions o;
  o.in_bootloader = false;
  o.touch_resets = false;
  o.pace = true;
  return o;
}

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::vector<std::string> FlashArgs(const TempDir& dir, const testing::TockBootloaderPeer& peer,
                                   const std::vector<uint8_t>& data) {
  const auto image = dir.path() / "kernel.bin";
  WriteFileAtomic(image, std::span<const uint8_t>(data));
  return {"flash",   image.string(), "--address", "0x10000",
          "--board", "nano33ble",    "--serial",  peer.port_path()};
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string LentLine(const std::string& port) {
  return "console: link lost: serial port " + port + " lent to tockctl flash, pid ";
}

TEST(PortHandoverCliTest, FlashBorrowsThePortFromAConsoleThatTakesItBackAfterwards) {
  testing::TockBootloaderPeer peer(RunningKernel());
  TempDir dir;
  const std::string port = peer.port_path();
  auto console = StartTockctl(dir.path(), {"console", "--serial", port});
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), "console: serial " + port); }))
      << console->Stderr();
  peer.KernelPrints("tock$ before\r\n");
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stdout(), "before"); })) << console->Stdout();

  peer.EnterBootloader();
  const auto data = Random(3000, 7);
  CliRun flash = RunTockctl(FlashArgs(dir, peer, data));
  ASSERT_EQ(flash.exit_code, 0) << flash.err;
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
  EXPECT_TRUE(peer.kernel_started());
  EXPECT_EQ(flash.err.rfind("Borrowing serial port " + port + " from tockctl console, pid " +
                                std::to_string(console->pid()) + " until flash ends\n",
                            0),
            0u)
      << flash.err;
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), " is back from tockctl flash, pid "); }))
      << console->Stderr();
  peer.KernelPrints("Initialization complete. Entering main loop\r\n");
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stdout(), "main loop\r\n"); }))
      << console->Stdout();

  console->Signal(SIGTERM);
  EXPECT_EQ(console->Wait(20s), 0);
  EXPECT_EQ(console->Stdout(), "tock$ before\r\nInitialization complete. Entering main loop\r\n");
  const std::string err = console->Stderr();
  const size_t lent = err.find(LentLine(port));
  const size_t back =
      err.find("console: link up: serial port " + port + " is back from tockctl " + "flash, pid ");
  EXPECT_NE(lent, std::string::npos) << err;
  EXPECT_NE(back, std::string::npos) << err;
  EXPECT_LT(lent, back) << err;
}

TEST(PortHandoverCliTest, TraceLendsThePortToo) {
  testing::TockBootloaderPeer peer(RunningKernel());
  TempDir dir;
  const std::string port = peer.port_path();
  auto trace = StartTockctl(dir.path(), {"trace", "--serial", port});
  ASSERT_TRUE(WaitFor([&] { return Has(trace->Stderr(), "trace: reading serial " + port); }))
      << trace->Stderr();
  peer.EnterBootloader();
  CliRun flash = RunTockctl(FlashArgs(dir, peer, Random(2000, 8)));
  ASSERT_EQ(flash.exit_code, 0) << flash.err;
  ASSERT_TRUE(WaitFor([&] { return Has(trace->Stderr(), " is back from tockctl flash"); }))
      << trace->Stderr();
  trace->Signal(SIGTERM);
  EXPECT_EQ(trace->Wait(20s), 0);
  EXPECT_TRUE(Has(trace->Stderr(), "serial port " + port + " lent to tockctl flash, pid "))
      << trace->Stderr();
}

// The app commands borrow the port as flash does (docs/apps.md): `app install` while a console
// holds the board's port writes the app and hands the port back.
TEST(PortHandoverCliTest, AppInstallBorrowsThePortToo) {
  testing::TockBootloaderPeer peer(RunningKernel());
  TempDir dir;
  const std::string port = peer.port_path();
  auto console = StartTockctl(dir.path(), {"console", "--serial", port});
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), "console: serial " + port); }))
      << console->Stderr();
  peer.EnterBootloader();
  CliRun install = RunTockctl({"app", "install",
                               std::string(TOCKCTL_SOURCE_DIR) + "/tests/fixtures/apps/blink.tab",
                               "--board", "nano33ble", "--serial", port});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_EQ(install.err.rfind("Borrowing serial port " + port + " from tockctl console, pid " +
                                  std::to_string(console->pid()) + " until app install ends\n",
                              0),
            0u)
      << install.err;
  EXPECT_EQ(peer.ReadFlash(0x50000, 16)[0], 2);  // a TBF v2 header where app flash starts
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), " is back from tockctl app install"); }))
      << console->Stderr();
  console->Signal(SIGTERM);
  EXPECT_EQ(console->Wait(20s), 0);
}

// A console stopped with Ctrl-Z cannot let go: the flash says so after its wait, touches nothing,
// and the console still has its port when it is resumed.
TEST(PortHandoverCliTest, AConsoleThatCannotLetGoIsNamedAndKeepsThePort) {
  testing::TockBootloaderPeer peer(RunningKernel());
  TempDir dir;
  const std::string port = peer.port_path();
  auto console = StartTockctl(dir.path(), {"console", "--serial", port});
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), "console: serial " + port); }));
  console->Signal(SIGSTOP);
  peer.EnterBootloader();
  CliRun flash = RunTockctl(FlashArgs(dir, peer, Random(2000, 9)));
  EXPECT_EQ(flash.exit_code, 5) << flash.err;
  const std::string pid = std::to_string(console->pid());
  EXPECT_TRUE(Has(flash.err, "error: tockctl console, pid " + pid + " holds serial port " + port +
                                 " and did not let go within 3 s (" + port +
                                 ": lock); if it is stopped (Ctrl-Z), resume it with fg; or end "
                                 "it\n"))
      << flash.err;
  EXPECT_TRUE(peer.commands().empty());
  console->Signal(SIGCONT);
  peer.ReleaseReset(false);
  peer.KernelPrints("still here\r\n");
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stdout(), "still here"); })) << console->Stdout();
  EXPECT_FALSE(Has(console->Stderr(), "lent to")) << console->Stderr();
}

// A flash killed half-way (its locks go with it) gives the port back all the same.
TEST(PortHandoverCliTest, AFlashKilledHalfWayGivesThePortBack) {
  testing::TockBootloaderPeer peer(RunningKernel());
  TempDir dir;
  const std::string port = peer.port_path();
  auto console = StartTockctl(dir.path(), {"console", "--serial", port});
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), "console: serial " + port); }));
  peer.EnterBootloader();
  auto flash = StartTockctl(dir.path(), FlashArgs(dir, peer, Random(64 * 1024, 10)));
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), LentLine(port)); })) << console->Stderr();
  ASSERT_TRUE(WaitFor([&] { return peer.commands().size() > 3; }));
  flash->Signal(SIGKILL);
  EXPECT_EQ(flash->Wait(20s), 128 + SIGKILL);
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stderr(), " is back from tockctl flash, pid "); }))
      << console->Stderr();
  peer.ReleaseReset(false);
  peer.KernelPrints("rebooted\r\n");
  ASSERT_TRUE(WaitFor([&] { return Has(console->Stdout(), "rebooted"); })) << console->Stdout();
}

// `tockctl run` through the Tock bootloader: flash, EXIT (1.1.x starts the kernel), then the
// console on the same port shows what the kernel prints; SIGTERM ends it with exit 0.
TEST(RunSerialCliTest, FlashesThroughTheBootloaderThenShowsTheKernelsConsoleOnThePort) {
  testing::PeerOptions options;
  options.pace = true;
  testing::TockBootloaderPeer peer(options);
  TempDir dir;
  const std::string port = peer.port_path();
  const auto data = Random(3000, 11);
  std::vector<std::string> args = FlashArgs(dir, peer, data);
  args[0] = "run";
  args.push_back("--no-records");
  auto run = StartTockctl(dir.path(), args);
  ASSERT_TRUE(run->WaitForStderr("console: serial " + port + " @115200", 30s)) << run->Stderr();
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
  EXPECT_TRUE(peer.kernel_started());
  peer.KernelPrints("Initialization complete. Entering main loop\r\ntock$ ");
  ASSERT_TRUE(run->WaitForStdout([](const std::string& out) { return Has(out, "tock$ "); }, 20s))
      << run->Stdout();
  run->Signal(SIGTERM);
  EXPECT_EQ(run->Wait(20s), 0) << run->Stderr();
  EXPECT_EQ(run->Stdout(), "Initialization complete. Entering main loop\r\ntock$ \n");
  const std::string err = run->Stderr();
  EXPECT_LT(err.find(", verified, EXIT sent\n"), err.find("console: serial " + port)) << err;
}

TEST(RunSerialCliTest, WithoutAConsoleToOpenNothingIsFlashed) {
  testing::TockBootloaderPeer peer;
  TempDir dir;
  std::vector<std::string> args = FlashArgs(dir, peer, Random(100, 12));
  args[0] = "run";
  args.erase(args.end() - 2, args.end());  // no --serial: nothing says where the console is
  CliRun r = RunTockctl(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: nano33ble traces over its USB CDC-ACM serial port (2341:005a); give --serial "
            "/dev/ttyACMn (tockctl devices lists it)\n");
  args.insert(args.end(), {"--serial", peer.port_path(), "--until", ""});
  r = RunTockctl(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --until needs a text to wait for; e.g. --until \"tock$ \"\n");
  EXPECT_TRUE(peer.commands().empty());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
