// `tockctl trace --tcp` against a TCP server on 127.0.0.1 that sends the golden stream, closes
// the connection, accepts the reconnect and sends it again: the link events are reported and
// counted, every record arrives, and the capture file stays valid.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"
#include "tests/tracer/pcapng_reader.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Serves `stream` to each of `connections` clients in turn, closing after each; gives up on an
// accept after 20 s so the test never hangs.
class StreamServer {
 public:
  StreamServer(std::vector<uint8_t> stream, int connections) : stream_(std::move(stream)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, connections] { Serve(connections); });
  }
  ~StreamServer() {
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  int served() const { return served_; }

 private:
  void Serve(int connections) {
    for (int i = 0; i < connections; ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20000) != 1) return;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      size_t off = 0;
      while (off < stream_.size()) {
        const ssize_t n = ::send(c, stream_.data() + off, stream_.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      if (i + 1 == connections) {  // the last client: wait until it hangs up
        char b;
        pollfd q{c, POLLIN, 0};
        while (::poll(&q, 1, 20000) == 1 && ::recv(c, &b, 1, 0) > 0) {
        }
      }
      ::close(c);
      ++served_;
    }
  }

  std::vector<uint8_t> stream_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<int> served_{0};
};

TEST(TraceLive, TcpDisconnectAndReconnectAreReportedAndCounted) {
  const auto basic = ReadBytes(tockctl::testing::SourceDir() / "tests/fixtures/trace/basic.bin");
  ASSERT_FALSE(basic.empty());
  tockctl::testing::TempDir dir;
  const fs::path pcap = dir.path() / "live.pcapng";
  StreamServer server(basic, 2);
  const std::string endpoint = "127.0.0.1:" + std::to_string(server.port());
  auto run = tockctl::testing::RunTockctl(
      {"trace", "--tcp", endpoint, "--format", "json", "--count", "72", "-o", pcap.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> records;
  std::vector<std::string> events;
  nlohmann::json stats;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == "status") {
      events.push_back(j["event"].get<std::string>() + ": " + j["detail"].get<std::string>());
    } else if (j["type"] == "stats") {
      stats = j;
    } else {
      records.push_back(j);
    }
  }
  EXPECT_EQ(records.size(), 72u);
  EXPECT_EQ(events, (std::vector<std::string>{"disconnected: tcp " + endpoint +
                                                  ": the peer closed the connection; reconnecting",
                                              "reconnected: reconnected to " + endpoint}));
  EXPECT_EQ(stats["link"]["disconnects"], 1);
  EXPECT_EQ(stats["decoder"]["seq_reset"], 1);  // the second connection starts at seq 0 again
  EXPECT_EQ(stats["decoder"]["corrupt"], 0);
  EXPECT_EQ(stats["decoder"]["records"], 72);
  const auto cap = testing::ParseCapture(ReadBytes(pcap));
  EXPECT_EQ(cap.packets.size(), 72u);
}

// What a live JSON run of the mixed golden stream printed: console bytes, records, statistics.
struct MixedRun {
  std::string console;
  std::vector<std::string> records;
  nlohmann::json stats;
};

MixedRun ParseMixedRun(const std::string& out) {
  MixedRun run;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == "console") {
      if (!j.contains("data")) {
        run.console += j["text"].get<std::string>();
        continue;
      }
      const std::string hex = j["data"];
      for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        run.console += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      }
    } else if (j["type"] == "stats") {
      run.stats = j;
    } else if (j.contains("seq")) {
      run.records.push_back(line);
    }
  }
  return run;
}

// The expected console text and records of tests/fixtures/trace/mixed.jsonl.
MixedRun ExpectedMixed() {
  std::ifstream in(tockctl::testing::SourceDir() / "tests/fixtures/trace/mixed.jsonl");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseMixedRun(ss.str());
}

void ExpectWholeMixedStream(const MixedRun& got, const std::string& err) {
  const MixedRun want = ExpectedMixed();
  EXPECT_EQ(got.console, want.console) << err;
  EXPECT_EQ(got.records, want.records) << err;
  EXPECT_EQ(got.stats["decoder"]["console_bytes"], 1557) << err;
  EXPECT_EQ(got.stats["decoder"]["gap"], 0);
  EXPECT_EQ(got.stats["decoder"]["corrupt"], 0);
  EXPECT_EQ(got.stats["decoder"]["records"], 36);
}

// Console text and frames over TCP (a QEMU chardev): every console byte, every record.
TEST(TraceLive, MixedConsoleAndFramesOverTcpArriveWhole) {
  const auto mixed = ReadBytes(tockctl::testing::SourceDir() / "tests/fixtures/trace/mixed.bin");
  StreamServer server(mixed, 1);
  const std::string endpoint = "127.0.0.1:" + std::to_string(server.port());
  auto run = tockctl::testing::RunTockctl(
      {"trace", "--tcp", endpoint, "--format", "json", "--duration", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectWholeMixedStream(ParseMixedRun(run.out), run.err);
}

// The same over a pty paced at 115200 baud, as a USB-UART bridge delivers it.
TEST(TraceLive, MixedConsoleAndFramesOverAPacedPtyArriveWhole) {
  const auto mixed = ReadBytes(tockctl::testing::SourceDir() / "tests/fixtures/trace/mixed.bin");
  tockctl::testing::PtyPair pty;
  tockctl::testing::CliRun run;
  std::thread trace([&] {
    run = tockctl::testing::RunTockctl(
        {"trace", "--serial", pty.slave_path(), "--format", "json", "--duration", "3"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // let it open the port
  pty.WritePaced(mixed, 115200);
  trace.join();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectWholeMixedStream(ParseMixedRun(run.out), run.err);
}

TEST(TraceLive, TextModeReportsLinkEventsOnStderr) {
  const auto basic = ReadBytes(tockctl::testing::SourceDir() / "tests/fixtures/trace/basic.bin");
  StreamServer server(basic, 2);
  const std::string endpoint = "127.0.0.1:" + std::to_string(server.port());
  auto run = tockctl::testing::RunTockctl({"trace", "--tcp", endpoint, "--count", "40"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("trace: link lost: tcp " + endpoint +
                         ": the peer closed the connection; reconnecting\n"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("trace: link up: reconnected to " + endpoint + "\n"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(", seq resets 1, disconnects 1\n"), std::string::npos) << run.err;
  size_t lines = 0;
  for (char c : run.out) lines += c == '\n';
  EXPECT_EQ(lines, 41u);  // header + 40 records
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
