// The one HOST:PORT grammar of every command, and TCP connects, reads and writes on loopback.
#include "devices/tcp_connector.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <thread>

#include "common/error.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;

TEST(TcpEndpointTest, ParsesHostAndPort) {
  EXPECT_EQ(ParseTcpEndpoint("127.0.0.1:4444"), (TcpEndpoint{"127.0.0.1", 4444}));
  EXPECT_EQ(ParseTcpEndpoint("qemu-host:1"), (TcpEndpoint{"qemu-host", 1}));
  EXPECT_EQ(ParseTcpEndpoint("[::1]:65535"), (TcpEndpoint{"::1", 65535}));
  EXPECT_EQ(ParseTcpEndpoint("[::1]:4444").ToString(), "[::1]:4444");
}

std::string ParseError(const std::string& text) {
  try {
    ParseTcpEndpoint(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    return e.Describe();
  }
  return "no error";
}

TEST(TcpEndpointTest, RejectsMalformedEndpointsClearly) {
  const std::string hint =
      "; expected HOST:PORT, e.g. 127.0.0.1:4444, localhost:4444 or [::1]:4444";
  EXPECT_EQ(ParseError("localhost"),
            "invalid TCP endpoint 'localhost': the port is missing" + hint);
  EXPECT_EQ(ParseError("localhost:"),
            "invalid TCP endpoint 'localhost:': the port is missing" + hint);
  EXPECT_EQ(ParseError(":4444"), "invalid TCP endpoint ':4444': the host is missing" + hint);
  EXPECT_EQ(ParseError("host:0"),
            "invalid TCP endpoint 'host:0': the port must be a number from 1 to 65535" + hint);
  EXPECT_EQ(ParseError("host:70000"),
            "invalid TCP endpoint 'host:70000': the port must be a number from 1 to 65535" + hint);
  EXPECT_EQ(ParseError("host:44a"),
            "invalid TCP endpoint 'host:44a': the port must be a number from 1 to 65535" + hint);
  EXPECT_EQ(
      ParseError("::1:4444"),
      "invalid TCP endpoint '::1:4444': write IPv6 addresses in brackets, e.g. [::1]:4444" + hint);
  EXPECT_EQ(ParseError("[::1"), "invalid TCP endpoint '[::1': missing ']'" + hint);
  EXPECT_EQ(ParseError("[::1]"), "invalid TCP endpoint '[::1]': the port is missing" + hint);
}

// A listening socket on 127.0.0.1 with a free port.
class Listener {
 public:
  Listener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_.get(), 1), 0);
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  uint16_t port() const { return port_; }
  UniqueFd Accept() const { return UniqueFd(::accept(fd_.get(), nullptr, nullptr)); }

 private:
  UniqueFd fd_;
  uint16_t port_ = 0;
};

TEST(TcpConnectTest, ConnectsReadsAndWritesBothWays) {
  Listener listener;
  std::optional<Error> error;
  UniqueFd client = ConnectTcpWithin({"127.0.0.1", listener.port()}, milliseconds(2000), &error);
  ASSERT_TRUE(client.valid()) << (error ? error->Describe() : "");
  UniqueFd server = listener.Accept();
  const std::vector<uint8_t> hello{'h', 'i', 0x00, 0xff};
  WriteSocket(client.get(), hello, "tcp test");
  std::vector<uint8_t> got(16);
  SocketRead read = ReadSocket(server.get(), got, milliseconds(2000));
  ASSERT_EQ(read.status, SocketRead::Status::kData);
  got.resize(read.bytes);
  EXPECT_EQ(got, hello);
  std::vector<uint8_t> buf(4);
  EXPECT_EQ(ReadSocket(client.get(), buf, milliseconds(10)).status, SocketRead::Status::kTimeout);
  server.Reset();
  SocketRead closed = ReadSocket(client.get(), buf, milliseconds(2000));
  EXPECT_EQ(closed.status, SocketRead::Status::kClosed);
  EXPECT_EQ(closed.why, "the peer closed the connection");
}

TEST(TcpConnectTest, ARefusedConnectionSaysWhereAndWhatToCheck) {
  uint16_t port = PickFreeLocalPort();
  std::optional<Error> error;
  UniqueFd client = ConnectTcpWithin({"127.0.0.1", port}, milliseconds(2000), &error);
  EXPECT_FALSE(client.valid());
  ASSERT_TRUE(error.has_value());
  std::string where = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(error->Describe(), "cannot connect to " + where + ": connection refused (" + where +
                                   ": connect); check that the server (QEMU, a gdb server) is "
                                   "running and listening on " +
                                   where);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
