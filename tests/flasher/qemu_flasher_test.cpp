// The QEMU command line the flasher builds, following Tock's Makefile for qemu_rv32_virt.
#include "flasher/qemu_flasher.h"

#include <gtest/gtest.h>

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

TEST(QemuFlasherTest, DetectsTheEpmpPropertyOfTheInstalledQemu) {
  PosixProcessRunner runner;
  auto property = DetectEpmpProperty(runner, "qemu-system-riscv32");
  ASSERT_TRUE(property.has_value());
  EXPECT_TRUE(*property == "smepmp" || *property == "x-epmp") << *property;
}

}  // namespace
}  // namespace tockctl::flasher
