// An in-memory GDB stub (the device side of RSP) for tests: it is a Link, so a GdbRemoteFlasher can
// talk to it directly, and FakeStubServer serves it over a socket or pty on a thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flasher/link.h"

namespace tockctl::flasher::testing {

/// What the fake stub supports.
struct FakeStubConfig {
  size_t packet_size = 0x1000;
  bool offer_no_ack = true;
  bool binary_writes = true;  ///< X
  bool crc = true;            ///< qCRC
  bool p_packet = true;       ///< P
  bool vcont = true;
  std::string architecture = "riscv:rv32";  ///< target.xml; empty: no qXfer:features
  /// Flash regions offered in a memory map (qXfer:memory-map:read); X/M into them fail, as on
  /// OpenOCD or a Black Magic Probe.
  struct Flash {
    uint64_t start, length, block;
  };
  std::vector<Flash> flash;
};

/// The stub. Memory is `memory` at `base`; registers are 33 x 32-bit (x0..x31, pc).
class FakeGdbStub : public Link {
 public:
  FakeGdbStub(FakeStubConfig config, uint64_t base, size_t size);

  void Write(std::span<const uint8_t> data) override;
  size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) override;
  std::string Describe() const override { return "fake stub"; }

  FakeStubConfig config;
  uint64_t base;
  std::vector<uint8_t> memory;
  std::vector<uint32_t> regs = std::vector<uint32_t>(33, 0);
  std::vector<std::string> packets;          ///< Every payload received, in order.
  std::map<uint64_t, std::string> error_at;  ///< Writes covering the address get this reply.
  int corrupt_next_replies = 0;              ///< Send this many replies with a bad checksum.
  bool running = false;                      ///< Set by c / vCont;c.
  size_t oversized_packets = 0;              ///< Packets longer than packet_size.
  size_t naks_received = 0;
  size_t flash_erases = 0;
  size_t flash_done = 0;
  bool no_ack = false;

 private:
  void Feed(uint8_t byte);
  void HandlePacket(const std::string& payload);
  std::string Handle(const std::string& payload);
  std::string HandleWrite(const std::string& payload, bool binary);
  std::string HandleRead(const std::string& payload);
  std::string HandleCrc(const std::string& payload);
  std::string HandleRegisters(const std::string& payload);
  std::string HandleFlash(const std::string& payload);
  std::string MemoryMap() const;
  bool InFlash(uint64_t address, uint64_t length) const;
  bool InRange(uint64_t address, uint64_t length) const;
  void Reply(const std::string& payload);

  std::string out_;
  std::string last_reply_;
  enum class State { kIdle, kPayload, kCheck1, kCheck2 } state_ = State::kIdle;
  std::string payload_;
  std::string check_;
};

/// Bitwise CRC-32/MPEG-2, written independently of the table-driven one under test.
uint32_t ReferenceCrc(const uint8_t* data, size_t n);

/// Serves a FakeGdbStub over a file descriptor (accepted socket or pty master) on a thread.
class FakeStubServer {
 public:
  /// Listens on 127.0.0.1:port (0 = any) and serves the first connection.
  static uint16_t ListenTcp(FakeStubServer& server);
  explicit FakeStubServer(FakeGdbStub& stub) : stub_(stub) {}
  ~FakeStubServer();
  /// Serves an already-open fd (takes ownership).
  void ServeFd(int fd);
  /// Stops the thread and closes fds.
  void Stop();

 private:
  void Loop(int fd);
  FakeGdbStub& stub_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  int listen_fd_ = -1;
};

}  // namespace tockctl::flasher::testing
