// The flasher's serial link is the locked devices::SerialPort (issue 14 item 7): a second opener
// is refused while the first keeps its bytes, and a port that is still there is not "vanished".
#include "flasher/serial_link.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/flasher/test_helpers.h"
#include "tests/support/pty_pair.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::Capture;

TEST(TermiosSerialLinkTest, ASecondOpenOfTheSamePortIsRefusedAndTheFirstKeepsWorking) {
  ::tockctl::testing::PtyPair pty;
  auto first = TermiosSerialLink::Open(pty.slave_path(), 115200);
  Error busy = Capture([&] { TermiosSerialLink::Open(pty.slave_path(), 115200); });
  EXPECT_EQ(busy.category(), ErrorCategory::kTransport);
  EXPECT_EQ(busy.message().rfind("serial port " + pty.slave_path() + " is in use by ", 0), 0u)
      << busy.message();
  EXPECT_NE(busy.message().find(", pid " + std::to_string(::getpid())), std::string::npos);
  pty.Write("ok");
  std::vector<uint8_t> buf(8);
  size_t n = first->Read(buf, milliseconds(2000));
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n)), "ok");
  EXPECT_EQ(first->Read(buf, milliseconds(10)), 0u);  // quiet, not vanished
  EXPECT_TRUE(first->StillPresent());
  pty.CloseMaster();
  Error gone = Capture([&] { first->Read(buf, milliseconds(2000)); });
  EXPECT_EQ(gone.Describe(), "serial port " + pty.slave_path() +
                                 " vanished; the board was unplugged or reset; reconnect it and "
                                 "run the command again");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
