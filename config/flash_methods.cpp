#include "config/flash_methods.h"

namespace tockctl::config {

namespace {
using T = MethodKeyType;
}  // namespace

// clang-format off
// In the order docs/boards.md lists them.
const std::vector<FlashMethodSpec>& FlashMethodSpecs() {
  static const std::vector<FlashMethodSpec> kSpecs = {
      {"qemu", "Start QEMU halted and load the image through its gdbstub",
       {{"machine", T::kString, true, {}},
        {"binary", T::kString, true, {}},
        {"cpu", T::kString, false, {}},
        {"load", T::kString, false, {"gdbstub", "kernel"}},
        {"bios", T::kString, false, {}},
        {"semihosting", T::kBool, false, {}},
        {"epmp", T::kBool, false, {}},
        {"globals", T::kStringOrList, false, {}},
        {"devices", T::kStringOrList, false, {}},
        {"nic", T::kString, false, {}}}},
      {"gdb", "GDB remote protocol over TCP or a serial port (QEMU, Black Magic Probe, OpenOCD, J-Link GDB server)",
       {{"remote", T::kHostPort, true, {}}}},
      {"openocd", "OpenOCD with the board's scripts",
       {{"config", T::kStringOrList, false, {}},
        {"tock_config", T::kString, false, {}},
        {"commands", T::kString, false, {}}}},
      {"jlink", "SEGGER JLinkExe with a generated commander script",
       {{"device", T::kString, true, {}},
        {"interface", T::kString, false, {"swd", "jtag"}},
        {"speed_khz", T::kUnsigned, false, {}}}},
      {"probe-rs", "probe-rs download/verify/reset",
       {{"chip", T::kString, true, {}},
        {"binary_format", T::kString, false, {"elf", "bin", "hex"}},
        {"base_address", T::kUnsigned, false, {}},
        {"allow_erase_all", T::kBool, false, {}}}},
      {"nrfutil", "Nordic nrfutil device program/fw-verify/reset", {}},
      {"tock-bootloader", "Tock's serial bootloader over a serial port (512-byte pages, CRC check)",
       {{"baud", T::kUnsigned, false, {}},
        {"page_size", T::kUnsigned, false, {}},
        {"fast_baud", T::kUnsigned, false, {}},
        {"entry", T::kString, false, {"auto", "baud-touch", "dtr-rts", "none"}},
        {"skip_zero_pages", T::kBool, false, {}},
        {"start_address", T::kUnsigned, false, {}}}},
      {"picoboot", "RP2040/RP2350 in BOOTSEL mode over USB (PICOBOOT)",
       {{"family", T::kString, true, {"rp2040", "rp2350"}}}},
      {"uf2", "Write a UF2 file next to the image, to --output, or onto a UF2 drive (--mount)",
       {{"family_id", T::kUnsigned, true, {}}}},
      {"dfu", "USB DFU 1.1 and STM32 DfuSe bootloaders",
       {{"vid_pid", T::kVidPid, true, {}},
        {"dfuse", T::kBool, false, {}},
        {"alt", T::kUnsigned, false, {}},
        {"address", T::kUnsigned, false, {}}}},
      {"external", "The board's own tool, which tockctl does not run: prints its command and note",
       {{"tool", T::kString, true, {}},
        {"command", T::kString, false, {}}}},
  };
  return kSpecs;
}
// clang-format on

const FlashMethodSpec* FindFlashMethodSpec(std::string_view name) {
  for (const auto& spec : FlashMethodSpecs())
    if (name == spec.name) return &spec;
  return nullptr;
}

const std::vector<std::string>& KnownFlashMethods() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> out;
    for (const auto& spec : FlashMethodSpecs()) out.emplace_back(spec.name);
    return out;
  }();
  return kNames;
}

std::string KnownFlashMethodList() {
  std::string out;
  for (const auto& name : KnownFlashMethods()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace tockctl::config
