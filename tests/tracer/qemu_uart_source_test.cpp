// The QEMU UART source against listening sockets on 127.0.0.1 playing QEMU's UART, and a
// locator playing the state file: failing or waiting without QEMU, following a restarted QEMU.
#include "tracer/qemu_uart_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "common/error.h"
#include "tests/tracer/loopback_server.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::CountingBytes;
using testing::LoopbackServer;
using testing::ReadUntil;
using testing::SendAll;
using testing::TestLogger;
using testing::WaitForStatus;

constexpr milliseconds kPatience{10'000};

class FakeLocator : public QemuUartLocator {
 public:
  std::optional<devices::TcpEndpoint> Find() override { return endpoint; }
  devices::TcpEndpoint Require() override {
    if (!endpoint) {
      throw Error(ErrorCategory::kTransport, "no QEMU started by tockctl is running", {},
                  "start it with: tockctl flash IMAGE --board qemu_rv32_virt");
    }
    return *endpoint;
  }
  std::optional<devices::TcpEndpoint> endpoint;
};

QemuUartOptions Options(bool wait, bool reconnect) {
  QemuUartOptions o;
  o.wait_for_qemu = wait;
  o.reconnect = reconnect;
  o.poll_interval = milliseconds(10);
  return o;
}

TEST(QemuUartSource, WithoutAQemuItFailsAtOnce) {
  FakeLocator locator;
  try {
    QemuUartSource source(locator, Options(false, true), TestLogger());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "no QEMU started by tockctl is running; start it with: tockctl flash IMAGE --board "
              "qemu_rv32_virt");
  }
}

TEST(QemuUartSource, ReadsTheRecordedQemu) {
  LoopbackServer uart;
  FakeLocator locator;
  locator.endpoint = uart.endpoint();
  QemuUartSource source(locator, Options(false, false), TestLogger());
  EXPECT_EQ(source.Describe(), "QEMU UART tcp " + uart.endpoint().ToString());
  devices::UniqueFd client = uart.Accept();
  SendAll(client, CountingBytes(100));
  EXPECT_EQ(ReadUntil(source, 100, kPatience).bytes, CountingBytes(100));
  client.Reset();
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kEnd, kPatience).detail,
            "tcp " + uart.endpoint().ToString() + ": the peer closed the connection");
}

TEST(QemuUartSource, WaitsForAQemuToStart) {
  FakeLocator locator;
  QemuUartSource source(locator, Options(true, true), TestLogger());
  EXPECT_EQ(source.Describe(), "QEMU (waiting for tockctl flash to start one)");
  std::array<uint8_t, 64> buf{};
  EXPECT_EQ(source.Read(buf, milliseconds(30)).status, ReadStatus::kTimeout);

  LoopbackServer uart;
  locator.endpoint = uart.endpoint();
  EXPECT_EQ(source.Read(buf, milliseconds(30)).status, ReadStatus::kTimeout);
  devices::UniqueFd client = uart.Accept();
  ASSERT_TRUE(client.valid());
  SendAll(client, CountingBytes(10));
  EXPECT_EQ(ReadUntil(source, 10, kPatience).bytes, CountingBytes(10));
}

TEST(QemuUartSource, FollowsAQemuRestartedOnAnotherPort) {
  auto first = std::make_unique<LoopbackServer>();
  FakeLocator locator;
  locator.endpoint = first->endpoint();
  QemuUartSource source(locator, Options(false, true), TestLogger());
  devices::UniqueFd client = first->Accept();
  SendAll(client, CountingBytes(10));
  EXPECT_EQ(ReadUntil(source, 10, kPatience).bytes, CountingBytes(10));

  client.Reset();  // QEMU stopped by the next tockctl flash ...
  first.reset();
  WaitForStatus(source, ReadStatus::kDisconnected, kPatience);
  LoopbackServer second;  // ... which starts a new one on another port
  locator.endpoint = second.endpoint();
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "QEMU restarted; reading QEMU UART tcp " + second.endpoint().ToString());
  devices::UniqueFd again = second.Accept();
  ASSERT_TRUE(again.valid());
  SendAll(again, CountingBytes(20, 7));
  EXPECT_EQ(ReadUntil(source, 20, kPatience).bytes, CountingBytes(20, 7));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
