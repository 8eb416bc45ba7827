#include "devices/serial_baud.h"

#include <asm/termbits.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace tockctl::devices {

namespace {

struct StandardRate {
  uint32_t baud;
  tcflag_t code;
};

// Rates with their own code: set that way, cfgetospeed() on the port reports them as tools expect.
constexpr StandardRate kStandardRates[] = {
    {1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},
    {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},
    {921600, B921600},   {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000},
    {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000},
};

tcflag_t SpeedCode(uint32_t baud) {
  for (const auto& rate : kStandardRates) {
    if (rate.baud == baud) return rate.code;
  }
  return BOTHER;  // any other rate, given in c_ispeed/c_ospeed
}

}  // namespace

bool IsStandardBaudRate(uint32_t baud) { return SpeedCode(baud) != BOTHER; }

int SetSerialBaud(int fd, uint32_t baud) {
  struct termios2 tio {};
  if (::ioctl(fd, TCGETS2, &tio) != 0) return errno;
  tcflag_t code = SpeedCode(baud);
  tio.c_cflag &= ~static_cast<tcflag_t>(CBAUD | (CBAUD << IBSHIFT));
  tio.c_cflag |= code | (code << IBSHIFT);
  tio.c_ispeed = baud;
  tio.c_ospeed = baud;
  if (::ioctl(fd, TCSETS2, &tio) != 0) return errno;
  return 0;
}

}  // namespace tockctl::devices
