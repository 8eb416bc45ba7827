// The QEMU command line the flasher builds for each QEMU board of the catalog, following the
// board's Makefile in Tock.
#include "flasher/qemu_flasher.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/process.h"
#include "config/board_catalog.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

// The launch for `board` as the catalog describes its qemu method, on gdb port 1234 and UART 5678.
QemuLaunch CatalogLaunch(const std::string& board, const std::string& image = "/k.elf") {
  static const config::BoardCatalog catalog =
      config::BoardCatalog::Load(tockctl::testing::SourceDir() / "boards");
  const config::FlashMethod* method = catalog.Find(board).FindFlashMethod("qemu");
  EXPECT_NE(method, nullptr) << board;
  QemuLaunch launch;
  launch.machine = QemuMachineFromSettings(method->settings);
  launch.image = image;
  launch.gdb_port = 1234;
  launch.uart_port = 5678;
  return launch;
}

using Argv = std::vector<std::string>;
const Argv kHaltedOnLoopback = {"-display", "none",
                                "-monitor", "none",
                                "-serial",  "tcp:127.0.0.1:5678,server=on,wait=off",
                                "-gdb",     "tcp:127.0.0.1:1234",
                                "-S"};

Argv Concat(std::initializer_list<Argv> parts) {
  Argv out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Tock's QEMU_BASE_CMDLINE for qemu_rv32_virt; -bios none because tockctl loads the image.
TEST(QemuFlasherTest, Rv32VirtFollowsTocksMakefile) {
  QemuLaunch launch = CatalogLaunch("qemu_rv32_virt");
  launch.epmp_property = "smepmp";
  const Argv machine = {"qemu-system-riscv32",
                        "-machine",
                        "virt",
                        "-semihosting",
                        "-global",
                        "driver=riscv-cpu,property=smepmp,value=true",
                        "-global",
                        "virtio-mmio.force-legacy=false",
                        "-device",
                        "virtio-rng-device",
                        "-device",
                        "virtio-keyboard-device",
                        "-bios",
                        "none"};
  EXPECT_EQ(QemuArgv(launch), Concat({machine, kHaltedOnLoopback}));
  launch.epmp_property.reset();
  EXPECT_EQ(QemuArgv(launch)[4], "-global");
  EXPECT_EQ(QemuArgv(launch)[5], "virtio-mmio.force-legacy=false");
}

TEST(QemuFlasherTest, Rv64VirtUsesItsOwnBinary) {
  QemuLaunch launch = CatalogLaunch("qemu_rv64_virt");
  launch.epmp_property = "smepmp";
  EXPECT_EQ(QemuArgv(launch),
            Concat({{"qemu-system-riscv64", "-machine", "virt", "-semihosting", "-global",
                     "driver=riscv-cpu,property=smepmp,value=true", "-global",
                     "virtio-mmio.force-legacy=false", "-device", "virtio-rng-device", "-device",
                     "virtio-keyboard-device", "-bios", "none"},
                    kHaltedOnLoopback}));
}

// hifive1 and redboard_redv: `qemu-system-riscv32 -M sifive_e,revb=true -kernel KERNEL`.
TEST(QemuFlasherTest, SifiveBoardsBootTheirKernelOnSifiveE) {
  for (const char* board : {"hifive1", "redboard_redv"}) {
    EXPECT_EQ(QemuArgv(CatalogLaunch(board)),
              Concat({{"qemu-system-riscv32", "-machine", "sifive_e,revb=true"},
                      kHaltedOnLoopback,
                      {"-kernel", "/k.elf", "-net", "none"}}))
        << board;
  }
}

// earlgrey-cw310's Makefile: `-M opentitan -kernel KERNEL -global
// driver=riscv.lowrisc.ibex.soc,property=resetvec,value=0x20000400`.
TEST(QemuFlasherTest, EarlgreyBootsOnOpentitanFromItsResetVector) {
  EXPECT_EQ(QemuArgv(CatalogLaunch("earlgrey-cw310")),
            Concat({{"qemu-system-riscv32", "-machine", "opentitan", "-global",
                     "driver=riscv.lowrisc.ibex.soc,property=resetvec,value=0x20000400"},
                    kHaltedOnLoopback,
                    {"-kernel", "/k.elf", "-net", "none"}}));
}

// qemu_i486_q35's Makefile: `qemu-system-i386 -cpu 486 -machine q35 -net none -kernel KERNEL`.
TEST(QemuFlasherTest, I486BootsAMultibootKernelOnQ35) {
  EXPECT_EQ(QemuArgv(CatalogLaunch("qemu_i486_q35")),
            Concat({{"qemu-system-i386", "-machine", "q35", "-cpu", "486"},
                    kHaltedOnLoopback,
                    {"-kernel", "/k.elf", "-net", "none"}}));
}

// A board file written before the machine facts existed names only binary and machine.
TEST(QemuFlasherTest, AMethodWithOnlyMachineAndBinaryLoadsThroughTheGdbstub) {
  QemuLaunch launch;
  launch.machine = QemuMachineFromSettings(
      {{"method", "qemu"}, {"machine", "virt"}, {"binary", "qemu-system-riscv32"}});
  launch.gdb_port = 1234;
  launch.uart_port = 5678;
  EXPECT_EQ(QemuArgv(launch), Concat({{"qemu-system-riscv32", "-machine", "virt", "-bios", "none"},
                                      kHaltedOnLoopback,
                                      {"-net", "none"}}));
}

TEST(QemuFlasherTest, NetdevOnAMachineWithoutANicIsAUsageError) {
  QemuLaunch launch = CatalogLaunch("hifive1");
  launch.netdev = "user";
  try {
    QemuArgv(launch);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    EXPECT_EQ(e.Describe(),
              "--netdev: QEMU's sifive_e,revb=true machine has no network card here; leave "
              "--netdev out, or use a board whose qemu method has a nic");
  }
}

// Tock's Makefile: NETDEV=SLIRP and NETDEV=TAP; extra arguments go last, as given.
TEST(QemuFlasherTest, NetdevAndExtraArgumentsComeAfterTheBaseCommandLine) {
  QemuLaunch launch = CatalogLaunch("qemu_rv32_virt");
  size_t base = QemuArgv(launch).size();
  launch.netdev = "user";
  launch.extra_args = {"-m", "256M"};
  auto argv = QemuArgv(launch);
  EXPECT_EQ(
      std::vector<std::string>(argv.begin() + static_cast<std::ptrdiff_t>(base), argv.end()),
      (std::vector<std::string>{"-netdev", "user,id=n0,net=192.168.1.0/24,dhcpstart=192.168.1.255",
                                "-device", "virtio-net-device,netdev=n0", "-m", "256M"}));
  launch.netdev = "tap";
  launch.extra_args.clear();
  argv = QemuArgv(launch);
  EXPECT_EQ(std::vector<std::string>(argv.begin() + static_cast<std::ptrdiff_t>(base), argv.end()),
            (std::vector<std::string>{"-netdev", "tap,id=n0,script=no,downscript=no", "-device",
                                      "virtio-net-device,netdev=n0"}));
}

TEST(QemuFlasherTest, NetdevNamesAreUserTapListenOrConnect) {
  EXPECT_EQ(ParseQemuNetdev("user"), "user");
  EXPECT_EQ(ParseQemuNetdev("tap"), "tap");
  EXPECT_EQ(ParseQemuNetdev("listen:5555"), "listen:5555");
  EXPECT_EQ(ParseQemuNetdev("connect:65535"), "connect:65535");
  for (const char* bad :
       {"bridge", "listen:", "listen:0", "connect:65536", "listen:1x", "dial:5"}) {
    try {
      ParseQemuNetdev(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::kUsage);
      EXPECT_EQ(e.Describe(), "--netdev `" + std::string(bad) +
                                  "` is not a QEMU network back-end; use user (QEMU's NAT, no "
                                  "privileges), tap (needs a tap device), or listen:PORT and "
                                  "connect:PORT (one Ethernet link between two QEMUs over "
                                  "127.0.0.1:PORT)");
    }
  }
}

// Two instances on one Ethernet link: QEMU's socket back-end, one listening, one connecting.
TEST(QemuFlasherTest, ListenAndConnectJoinTwoQemusOnOneLink) {
  QemuLaunch launch = CatalogLaunch("qemu_rv32_virt");
  size_t base = QemuArgv(launch).size();
  launch.netdev = "listen:5555";
  auto argv = QemuArgv(launch);
  EXPECT_EQ(Argv(argv.begin() + static_cast<std::ptrdiff_t>(base), argv.end()),
            (Argv{"-netdev", "socket,id=n0,listen=127.0.0.1:5555", "-device",
                  "virtio-net-device,netdev=n0"}));
  launch.netdev = "connect:5555";
  argv = QemuArgv(launch);
  EXPECT_EQ(Argv(argv.begin() + static_cast<std::ptrdiff_t>(base), argv.end()),
            (Argv{"-netdev", "socket,id=n0,connect=127.0.0.1:5555", "-device",
                  "virtio-net-device,netdev=n0"}));
}

// qemu_i486_q35's QEMU is in another Debian package than the RISC-V ones.
TEST(QemuFlasherTest, AMissingQemuNamesItsDebianPackage) {
  tockctl::testing::TempDir dir;
  const std::string log = (dir.path() / "qemu.log").string();
  for (const auto& [binary, package] : std::vector<std::pair<std::string, std::string>>{
           {"/nonexistent/qemu-system-i386", "qemu-system-x86"},
           {"/nonexistent/qemu-system-riscv32", "qemu-system-misc"}}) {
    try {
      SpawnDetached({binary, "-S"}, log);
      ADD_FAILURE() << "started " << binary;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
      EXPECT_EQ(
          e.Describe(),
          "`" + binary + "` was not found on PATH; install it with: apt-get install " + package);
    }
  }
}

TEST(QemuFlasherTest, DetectsTheEpmpPropertyOfTheInstalledQemu) {
  PosixProcessRunner runner;
  for (const char* binary : {"qemu-system-riscv32", "qemu-system-riscv64"}) {
    auto property = DetectEpmpProperty(runner, binary);
    ASSERT_TRUE(property.has_value()) << binary;
    EXPECT_TRUE(*property == "smepmp" || *property == "x-epmp") << *property;
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
