#include "tests/flasher/pseudo_terminal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tockctl::flasher::testing {
namespace {

struct SpeedName {
  speed_t code;
  uint32_t baud;
};

constexpr SpeedName kSpeeds[] = {
    {B1200, 1200},       {B2400, 2400},       {B4800, 4800},       {B9600, 9600},
    {B19200, 19200},     {B38400, 38400},     {B57600, 57600},     {B115200, 115200},
    {B230400, 230400},   {B460800, 460800},   {B500000, 500000},   {B576000, 576000},
    {B921600, 921600},   {B1000000, 1000000}, {B1500000, 1500000}, {B2000000, 2000000},
    {B3000000, 3000000}, {B4000000, 4000000},
};

void MakeRaw(int fd) {
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) return;
  ::cfmakeraw(&tio);
  ::cfsetspeed(&tio, B115200);
  ::tcsetattr(fd, TCSANOW, &tio);
}

}  // namespace

PseudoTerminal::PseudoTerminal() {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
    throw std::runtime_error(std::string("cannot create a pty: ") + std::strerror(errno));
  char name[128];
  if (::ptsname_r(master_, name, sizeof name) != 0) throw std::runtime_error("ptsname_r failed");
  slave_path_ = name;
  held_slave_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (held_slave_ < 0) throw std::runtime_error("cannot open the pty slave " + slave_path_);
  MakeRaw(held_slave_);
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
}

PseudoTerminal::~PseudoTerminal() { Close(); }

uint32_t PseudoTerminal::SlaveBaud() const {
  termios tio{};
  if (held_slave_ < 0 || ::tcgetattr(held_slave_, &tio) != 0) return 0;
  speed_t s = ::cfgetospeed(&tio);
  for (const auto& e : kSpeeds)
    if (e.code == s) return e.baud;
  return 0;
}

void PseudoTerminal::Close() {
  if (held_slave_ >= 0) ::close(held_slave_);
  if (master_ >= 0) ::close(master_);
  held_slave_ = master_ = -1;
}

}  // namespace tockctl::flasher::testing
