// Effective rate of the tock-bootloader back-end as a fraction of the serial line rate.
// The bootloader peer runs on a pseudo-terminal and paces every byte it receives and sends at
// 10 bit times (8N1), waits the bootloader's 100-bit idle gap before answering, and programs
// flash instantly, so the figure is the protocol's efficiency, not a chip's flash speed.
//
//   build/bench/bootloader_rate [--size BYTES] [--baud RATE] [--blank-every N] [--runs N]
#include <spdlog/fmt/fmt.h>
#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "flasher/tock_bootloader_backend.h"
#include "tests/flasher/tock_bootloader_peer.h"

namespace {

using tockctl::flasher::Phase;
using tockctl::flasher::Segment;

class NullProgress : public tockctl::flasher::ProgressSink {
 public:
  void Begin(Phase, uint64_t) override {}
  void Advance(uint64_t) override {}
  void End(Phase) override {}
  void Message(const std::string&) override {}
};

struct Options {
  size_t size = 64 * 1024;
  uint32_t baud = 115200;
  size_t blank_every = 0;  // every Nth page all 0xFF (0: none)
  int runs = 3;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    unsigned long v = std::strtoul(argv[i + 1], nullptr, 0);
    if (k == "--size")
      o.size = v;
    else if (k == "--baud")
      o.baud = static_cast<uint32_t>(v);
    else if (k == "--blank-every")
      o.blank_every = v;
    else if (k == "--runs")
      o.runs = static_cast<int>(v);
  }
  return o;
}

std::vector<uint8_t> Payload(const Options& o) {
  std::mt19937 rng(42);
  std::vector<uint8_t> data(o.size);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  if (o.blank_every)
    for (size_t p = 0; p * 512 < data.size(); p += o.blank_every)
      std::fill(data.begin() + p * 512, data.begin() + std::min(data.size(), p * 512 + 512), 0xFF);
  return data;
}

// Byte times one 512-byte page costs on the wire: sync 3, address 4, data 512 + one extra per
// 0xFC, FC cmd 2; the bootloader's 100-bit idle gap (10 byte times); the 2-byte reply.
double PageByteTimes(const std::vector<uint8_t>& data) {
  size_t escapes = std::count(data.begin(), data.end(), 0xFC);
  double pages = static_cast<double>(data.size()) / 512.0;
  return (3 + 4 + 512 + 2 + 10 + 2) + static_cast<double>(escapes) / pages;
}

// Flashes `data` once into a fresh paced peer; returns the write rate in bytes per second.
double RunOnce(const Options& o, const std::vector<uint8_t>& data,
               const std::shared_ptr<spdlog::logger>& log) {
  tockctl::flasher::testing::PeerOptions peer_options;
  peer_options.pace = true;
  peer_options.baud = o.baud;
  peer_options.flash_size = static_cast<uint32_t>(0x10000 + o.size + 0x10000);
  tockctl::flasher::testing::TockBootloaderPeer peer(peer_options);
  tockctl::flasher::TockBootloaderSettings s;
  s.port = peer.port_path();
  s.baud = o.baud;
  s.entry = tockctl::flasher::BootloaderEntry::kNone;
  auto lister =
      std::shared_ptr<tockctl::flasher::SerialPortLister>(std::shared_ptr<void>(), &peer.lister());
  tockctl::flasher::TockBootloaderBackend backend(
      s,
      [](const std::string& p, uint32_t b) {
        return tockctl::flasher::TermiosSerialLink::Open(p, b);
      },
      lister, log);
  NullProgress progress;
  backend.Connect(progress);
  Segment seg{0x10000, data, "bench"};
  auto t0 = std::chrono::steady_clock::now();
  backend.Write(seg, progress);  // pages + the CRC check of the run
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  backend.Disconnect();
  if (peer.ReadFlash(0x10000, data.size()) != data) {
    std::fprintf(stderr, "bootloader_rate: flash contents differ after the run\n");
    std::exit(1);
  }
  return static_cast<double>(data.size()) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  auto data = Payload(o);
  auto log =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  double line_rate = o.baud / 10.0;  // bytes per second, 8N1
  double best = 0, sum = 0;
  for (int run = 0; run < o.runs; ++run) {
    double rate = RunOnce(o, data, log);
    best = std::max(best, rate);
    sum += rate;
    std::printf("run %d: %zu bytes at %.0f B/s = %.3f of the line rate\n", run + 1, data.size(),
                rate, rate / line_rate);
  }
  double mean = sum / o.runs;
  std::printf("line rate at %u baud (8N1): %.0f B/s\n", o.baud, line_rate);
  std::printf("mean effective rate: %.0f B/s = %.3f of the line rate (best %.3f)\n", mean,
              mean / line_rate, best / line_rate);
  double ideal = 512.0 / PageByteTimes(data);
  std::printf("protocol bound for written pages: 512 / %.1f byte times = %.3f\n",
              PageByteTimes(data), ideal);
  return 0;
}
