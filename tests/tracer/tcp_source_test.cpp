#include "tracer/tcp_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// A port nothing listens on: bound once, then released.
uint16_t UnusedPort() { return LoopbackServer().port(); }

TcpOptions Options(uint16_t port, const std::string& host = "127.0.0.1") {
  TcpOptions options;
  options.endpoint = {host, port};
  options.reconnect_interval = milliseconds(10);
  return options;
}

TEST(TcpSourceTest, ReadsEveryByteInOrder) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  TcpSource source(Options(server.port()), TestLogger());
  EXPECT_EQ(source.Describe(), "tcp 127.0.0.1:" + std::to_string(server.port()));
  devices::UniqueFd client = server.Accept();
  auto bytes = CountingBytes(200'000, 1);
  std::vector<uint8_t> got;
  // Interleave sending and reading so neither side's socket buffer has to hold everything.
  for (size_t off = 0; off < bytes.size(); off += 20'000) {
    SendAll(client, std::span(bytes).subspan(off, 20'000));
    auto part = ReadUntil(source, 20'000, kPatience);
    got.insert(got.end(), part.bytes.begin(), part.bytes.end());
  }
  EXPECT_EQ(got, bytes);
}

TEST(TcpSourceTest, HostnamesResolve) {
  LoopbackServer server;
  TcpSource source(Options(server.port(), "localhost"), TestLogger());
  devices::UniqueFd client = server.Accept();
  ASSERT_TRUE(client.valid());
  SendAll(client, CountingBytes(3));
  EXPECT_EQ(ReadUntil(source, 3, kPatience).bytes, CountingBytes(3));
}

TEST(TcpSourceTest, Ipv6Loopback) {
  LoopbackServer server(0, AF_INET6);
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback on this host";
  TcpSource source(Options(server.port(), "::1"), TestLogger());
  EXPECT_EQ(source.Describe(), "tcp [::1]:" + std::to_string(server.port()));
  devices::UniqueFd client = server.Accept();
  SendAll(client, CountingBytes(5));
  EXPECT_EQ(ReadUntil(source, 5, kPatience).bytes, CountingBytes(5));
}

TEST(TcpSourceTest, RefusedAtStartIsATransportErrorWithAHint) {
  uint16_t port = UnusedPort();
  std::string where = "127.0.0.1:" + std::to_string(port);
  try {
    TcpSource source(Options(port), TestLogger());
    FAIL() << "connected to a closed port";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), "cannot connect to " + where + ": connection refused (" + where +
                                ": connect); check that the server (QEMU, a gdb server) is "
                                "running and listening on " +
                                where);
  }
}

TEST(TcpSourceTest, UnresolvableHostIsATransportError) {
  try {
    TcpSource source(Options(4444, "no-such-host.invalid"), TestLogger());
    FAIL() << "resolved an .invalid name";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.message().rfind("cannot resolve host 'no-such-host.invalid': ", 0), 0u)
        << e.message();
  }
}

TEST(TcpSourceTest, WaitsForAServerThatIsNotUpYet) {
  uint16_t port = UnusedPort();
  TcpOptions options = Options(port);
  options.wait_for_device = true;
  TcpSource source(options, TestLogger());
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(source.Read(buf, milliseconds(30)).status, ReadStatus::kTimeout);
  LoopbackServer server(port);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "connected to 127.0.0.1:" + std::to_string(port));
  devices::UniqueFd client = server.Accept();
  SendAll(client, CountingBytes(4));
  EXPECT_EQ(ReadUntil(source, 4, kPatience).bytes, CountingBytes(4));
}

TEST(TcpSourceTest, ServerCloseAndRestartReportDisconnectedThenReconnected) {
  auto server = std::make_unique<LoopbackServer>();
  uint16_t port = server->port();
  std::string where = "127.0.0.1:" + std::to_string(port);
  TcpSource source(Options(port), TestLogger());
  devices::UniqueFd client = server->Accept();
  SendAll(client, CountingBytes(10));
  EXPECT_EQ(ReadUntil(source, 10, kPatience).bytes, CountingBytes(10));

  client.Reset();  // QEMU exits
  server.reset();
  std::vector<uint8_t> seen;
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kDisconnected, kPatience, &seen).detail,
            "tcp " + where + ": the peer closed the connection; reconnecting");
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(source.Read(buf, milliseconds(30)).status, ReadStatus::kTimeout);  // refused: waits

  server = std::make_unique<LoopbackServer>(port);  // QEMU restarted
  ASSERT_TRUE(server->ok());
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kReconnected, kPatience).detail,
            "reconnected to " + where);
  client = server->Accept();
  SendAll(client, CountingBytes(10, 100));
  EXPECT_EQ(ReadUntil(source, 10, kPatience).bytes, CountingBytes(10, 100));
}

TEST(TcpSourceTest, WithoutReconnectAClosedConnectionEndsTheStream) {
  LoopbackServer server;
  TcpOptions options = Options(server.port());
  options.reconnect = false;
  TcpSource source(options, TestLogger());
  server.Accept().Reset();
  EXPECT_EQ(WaitForStatus(source, ReadStatus::kEnd, kPatience).detail,
            "tcp 127.0.0.1:" + std::to_string(server.port()) + ": the peer closed the connection");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
