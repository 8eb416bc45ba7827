// The QEMU UART source against listening sockets on 127.0.0.1 playing QEMU's UART, and a
// locator playing the state file: failing or waiting without QEMU, following a restarted QEMU.
#include "tracer/qemu_uart_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "common/error.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {

using std::chrono::milliseconds;
using testing::CountingBytes;
using testing::ReadUntil;
using testing::TestLogger;
using testing::WaitForStatus;

constexpr milliseconds kPatience{10'000};

// QEMU's UART: a listening socket on 127.0.0.1.
class Uart {
 public:
  Uart() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len);
    ::listen(fd_.get(), 4);
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  TcpEndpoint endpoint() const { return {"127.0.0.1", port_}; }
  UniqueFd Accept() {
    pollfd pfd{fd_.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(kPatience.count())) != 1) return UniqueFd();
    return UniqueFd(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  }

 private:
  UniqueFd fd_;
  uint16_t port_ = 0;
};

void Send(const UniqueFd& client, const std::vector<uint8_t>& bytes) {
  ASSERT_EQ(::send(client.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
}

class FakeLocator : public QemuUartLocator {
 public:
  std::optional<TcpEndpoint> Find() override { return endpoint; }
  TcpEndpoint Require() override {
    if (!endpoint) {
      throw Error(ErrorCategory::kTransport, "no QEMU started by tockctl is running", {},
                  "start it with: tockctl flash IMAGE --board qemu_rv32_virt");
    }
    return *endpoint;
  }
  std::optional<TcpEndpoint> endpoint;
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
  Uart uart;
  FakeLocator locator;
  locator.endpoint = uart.endpoint();
  QemuUartSource source(locator, Options(false, false), TestLogger());
  EXPECT_EQ(source.Describe(), "QEMU UART tcp " + uart.endpoint().ToString());
  UniqueFd client = uart.Accept();
  Send(client, CountingBytes(100));
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

  Uart uart;
  locator.endpoint = uart.endpoint();
  EXPECT_EQ(source.Read(buf, milliseconds(30)).status, ReadStatus::kTimeout);
  UniqueFd client = uart.Accept();
  ASSERT_TRUE(client.valid());
  Send(client, CountingBytes(10));
  EXPECT_EQ(ReadUntil(source, 10, kPatience).bytes, CountingBytes(10));
}

TEST(QemuUartSource, FollowsAQemuRestartedOnAnotherPort) {
  auto first = std::make_unique<Uart>();
  FakeLocator locator;
  locator.endpoint = first->endpoint();
  QemuUartSource source(locator, Options(false, true), TestLogger());
  UniqueFd client = first->Accept();
  Send(client, CountingBytes(10));
  EXPECT_EQ(ReadUntil(source, 10, kPatience).bytes, CountingBytes(10));

  client.Reset();  // QEMU stopped by the next tockctl flash ...
  first.reset();
  WaitForStatus(source, ReadStatus::kDisconnected, kPatience);
  Uart second;  // ... which starts a new one on another port
  locator.endpoint = second.endpoint();
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "QEMU restarted; reading QEMU UART tcp " + second.endpoint().ToString());
  UniqueFd again = second.Accept();
  ASSERT_TRUE(again.valid());
  Send(again, CountingBytes(20, 7));
  EXPECT_EQ(ReadUntil(source, 20, kPatience).bytes, CountingBytes(20, 7));
}

}  // namespace
}  // namespace tockctl::tracer
