// The QEMU command line the flasher builds, following Tock's Makefile for qemu_rv32_virt.
#include "flasher/qemu_flasher.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/process.h"

namespace tockctl::flasher {
namespace {

TEST(QemuFlasherTest, CommandLineFollowsTocksMakefile) {
  QemuLaunch launch;
  launch.epmp_property = "smepmp";
  launch.gdb_port = 1234;
  launch.uart_port = 5678;
  EXPECT_EQ(QemuArgv(launch),
            (std::vector<std::string>{"qemu-system-riscv32",
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
                                      "none",
                                      "-display",
                                      "none",
                                      "-monitor",
                                      "none",
                                      "-serial",
                                      "tcp:127.0.0.1:5678,server=on,wait=off",
                                      "-gdb",
                                      "tcp:127.0.0.1:1234",
                                      "-S"}));
  launch.epmp_property.reset();
  EXPECT_EQ(QemuArgv(launch)[4], "-global");
  EXPECT_EQ(QemuArgv(launch)[5], "virtio-mmio.force-legacy=false");
}

// Tock's Makefile: NETDEV=SLIRP and NETDEV=TAP; extra arguments go last, as given.
TEST(QemuFlasherTest, NetdevAndExtraArgumentsComeAfterTheBaseCommandLine) {
  QemuLaunch launch;
  launch.gdb_port = 1234;
  launch.uart_port = 5678;
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

TEST(QemuFlasherTest, NetdevNamesAreUserOrTap) {
  EXPECT_EQ(ParseQemuNetdev("user"), "user");
  EXPECT_EQ(ParseQemuNetdev("tap"), "tap");
  try {
    ParseQemuNetdev("bridge");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    EXPECT_EQ(e.Describe(),
              "--netdev `bridge` is not a QEMU network back-end; use user (QEMU's NAT, no "
              "privileges) or tap (needs a tap device)");
  }
}

TEST(QemuFlasherTest, DetectsTheEpmpPropertyOfTheInstalledQemu) {
  PosixProcessRunner runner;
  auto property = DetectEpmpProperty(runner, "qemu-system-riscv32");
  ASSERT_TRUE(property.has_value());
  EXPECT_TRUE(*property == "smepmp" || *property == "x-epmp") << *property;
}

}  // namespace
}  // namespace tockctl::flasher
