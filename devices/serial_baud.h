// Setting any baud rate on a Linux serial port (termios2/BOTHER); kept apart from <termios.h>,
// whose declarations clash with the kernel's <asm/termbits.h>.
#pragma once

#include <cstdint>

namespace tockctl::devices {

/// Sets input and output speed of the open tty `fd` to `baud` (any value the driver accepts).
/// Returns 0, or the errno of the failing ioctl.
int SetSerialBaud(int fd, uint32_t baud);

/// True if `baud` is one of the standard rates (1200 ... 4000000) that have their own termios
/// code; other rates are set too, but not every adapter or bootloader can do them.
bool IsStandardBaudRate(uint32_t baud);

}  // namespace tockctl::devices
