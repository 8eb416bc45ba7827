// Throughput of the trace decoder and of the whole decode-to-pcapng path on a generated stream of
// realistic records (IPC exchanges, Ethernet/IPv6/UDP and 802.15.4 frames, deliveries, drops),
// each also as a fraction of a plain memcpy and of a plain read() of the same bytes in the same
// run. `--rss-gib=N` instead streams N GiB through decoder + pcapng writer and reports peak RSS.
// BM_DecodeConsoleMix decodes a stream of the same size that is half console text (protocol v2)
// and reports its rate as a ratio to the pure-frame stream measured in the same iterations;
// BM_ConsoleLatencyPty writes console text into a pty and measures the time until a live trace
// session hands it to its output (p50/p99), lines and prompts without a line end apart.
//
//   tockctl_bench [--stream-mib=256] [--capture=/dev/null] [google benchmark flags]
//   tockctl_bench --rss-gib=1 [--capture=/dev/null]
//   tockctl_bench --write-stream=FILE --stream-mib=1024   (input for bench/trace_rss.sh)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "tests/trace_encoding/sample_stream.h"
#include "tracer/byte_source.h"
#include "tracer/pcapng_writer.h"
#include "tracer/trace_decoder.h"
#include "tracer/trace_session.h"
#include "tracer/trace_sink.h"

namespace tockctl::tracer {
namespace {

constexpr size_t kChunk = 256 * 1024;

struct BenchConfig {
  size_t stream_mib = 256;
  double rss_gib = 0;
  std::string capture = "/dev/null";
  std::string stream_file = "/tmp/tockctl_bench_stream.bin";
  std::string write_stream;  ///< --write-stream=FILE: only write a generated stream there.
};

BenchConfig& Config() {
  static BenchConfig config;
  return config;
}

const std::vector<uint8_t>& Stream() {
  static const std::vector<uint8_t> stream = [] {
    std::vector<uint8_t> wire;
    wire.reserve(Config().stream_mib * 1024 * 1024 + 4096);
    SampleStream s;
    s.AppendPreamble(wire);
    s.AppendMix(wire, Config().stream_mib * 1024 * 1024);
    std::ofstream(Config().stream_file, std::ios::binary)
        .write(reinterpret_cast<const char*>(wire.data()),
               static_cast<std::streamsize>(wire.size()));
    return wire;
  }();
  return stream;
}

// The same generator, half of the bytes console text between the frames (as a chatty kernel).
const std::vector<uint8_t>& ConsoleMixStream() {
  static const std::vector<uint8_t> stream = [] {
    const size_t target = Stream().size();
    std::vector<uint8_t> wire;
    wire.reserve(target + 8192);
    SampleStream s;
    s.AppendPreamble(wire);
    while (wire.size() < target) {
      const size_t before = wire.size();
      s.AppendMix(wire, 2048);
      s.AppendConsole(wire, wire.size() - before);
    }
    wire.resize(target);
    return wire;
  }();
  return stream;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU time of this thread in seconds: the build machines are shared, so rates are per CPU-second
// of the one core the decoder runs on, not per wall-clock second.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Best of three: bytes per second of memcpy of the stream in kChunk pieces.
double MemcpyBytesPerSecond() {
  static const double rate = [] {
    const auto& s = Stream();
    std::vector<uint8_t> dst(kChunk);
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      const double t0 = ThreadCpuSeconds();
      for (size_t off = 0; off < s.size(); off += kChunk) {
        std::memcpy(dst.data(), s.data() + off, std::min(kChunk, s.size() - off));
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
      }
      best = std::min(best, ThreadCpuSeconds() - t0);
    }
    return static_cast<double>(s.size()) / best;
  }();
  return rate;
}

// Reads the stream file (page cache hot) with read() in kChunk pieces; returns bytes read.
size_t ReadFileOnce(std::vector<uint8_t>& buf) {
  const int fd = ::open(Config().stream_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) break;
    total += static_cast<size_t>(n);
    benchmark::DoNotOptimize(buf.data());
  }
  ::close(fd);
  return total;
}

double ReadBytesPerSecond() {
  static const double rate = [] {
    std::vector<uint8_t> buf(kChunk);
    double best = 1e30;
    size_t bytes = 0;
    for (int rep = 0; rep < 5; ++rep) {
      const double t0 = ThreadCpuSeconds();
      bytes = ReadFileOnce(buf);
      best = std::min(best, ThreadCpuSeconds() - t0);
    }
    return static_cast<double>(bytes) / best;
  }();
  return rate;
}

void ReportRates(benchmark::State& state, uint64_t records, double cpu_seconds_per_iteration,
                 double wall_seconds_per_iteration) {
  const double bytes = static_cast<double>(Stream().size());
  const double seconds_per_iteration = cpu_seconds_per_iteration;
  const double rate = bytes / seconds_per_iteration;
  state.counters["wall_MB_per_s"] = bytes / wall_seconds_per_iteration / 1e6;
  state.SetBytesProcessed(static_cast<int64_t>(Stream().size()) * state.iterations());
  state.counters["MB_per_s"] = rate / 1e6;
  state.counters["records_per_s"] = static_cast<double>(records) / seconds_per_iteration;
  state.counters["fraction_of_memcpy"] = rate / MemcpyBytesPerSecond();
  state.counters["fraction_of_read"] = rate / ReadBytesPerSecond();
  state.counters["stream_MB"] = bytes / 1e6;
}

class CountingHandler : public RecordHandler {
 public:
  void OnRecord(const Record& record, bool) override {
    ++records;
    benchmark::DoNotOptimize(record.header.seq);
  }
  uint64_t records = 0;
};

void BM_MemcpyBaseline(benchmark::State& state) {
  const auto& s = Stream();
  std::vector<uint8_t> dst(kChunk);
  for (auto _ : state) {
    for (size_t off = 0; off < s.size(); off += kChunk) {
      std::memcpy(dst.data(), s.data() + off, std::min(kChunk, s.size() - off));
      benchmark::DoNotOptimize(dst.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(s.size()) * state.iterations());
}

void BM_ReadBaseline(benchmark::State& state) {
  std::vector<uint8_t> buf(kChunk);
  size_t bytes = 0;
  for (auto _ : state) bytes = ReadFileOnce(buf);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}

void BM_Decode(benchmark::State& state) {
  const auto& s = Stream();
  uint64_t records = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadCpuSeconds();
  for (auto _ : state) {
    CountingHandler handler;
    TraceDecoder decoder(handler);
    for (size_t off = 0; off < s.size(); off += kChunk) {
      decoder.Feed(std::span<const uint8_t>(s).subspan(off, std::min(kChunk, s.size() - off)));
    }
    decoder.Finish();
    records = handler.records;
    if (decoder.stats().corrupt != 0)
      state.SkipWithError("the generated stream decoded as corrupt");
  }
  const auto n = static_cast<double>(state.iterations());
  ReportRates(state, records, (ThreadCpuSeconds() - cpu0) / n,
              Seconds(std::chrono::steady_clock::now() - t0) / n);
}

// CPU seconds to decode `s` once (256 KiB reads); fails the benchmark if anything is corrupt.
double DecodeCpuSeconds(const std::vector<uint8_t>& s, benchmark::State& state) {
  const double cpu0 = ThreadCpuSeconds();
  CountingHandler handler;
  TraceDecoder decoder(handler);
  for (size_t off = 0; off < s.size(); off += kChunk) {
    decoder.Feed(std::span<const uint8_t>(s).subspan(off, std::min(kChunk, s.size() - off)));
  }
  decoder.Finish();
  // The mixed stream is cut at its size, so its last frame may be incomplete.
  if (decoder.stats().corrupt > 1) state.SkipWithError("the generated stream decoded as corrupt");
  benchmark::DoNotOptimize(handler.records);
  return ThreadCpuSeconds() - cpu0;
}

void BM_DecodeConsoleMix(benchmark::State& state) {
  const auto& mixed = ConsoleMixStream();
  const auto& frames = Stream();
  double mixed_cpu = 0;
  double frames_cpu = 0;
  for (auto _ : state) {
    mixed_cpu += DecodeCpuSeconds(mixed, state);
    frames_cpu += DecodeCpuSeconds(frames, state);
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["mixed_MB_per_s"] = static_cast<double>(mixed.size()) / (mixed_cpu / n) / 1e6;
  state.counters["frames_MB_per_s"] = static_cast<double>(frames.size()) / (frames_cpu / n) / 1e6;
  state.counters["ratio_to_frames"] = frames_cpu / mixed_cpu;  // same size: rate ratio
}

// A ByteSource over a file descriptor (the pty's slave side), with poll() for the timeout.
class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) {
      return {ReadStatus::kTimeout, 0, {}};
    }
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n <= 0) return {ReadStatus::kEnd, 0, {}};
    return {ReadStatus::kData, static_cast<size_t>(n), {}};
  }
  std::string Describe() const override { return "pty"; }

 private:
  int fd_;
};

// Notes when each console byte reaches the output.
class ConsoleTimes : public TraceSink {
 public:
  explicit ConsoleTimes(const Clock& clock) : clock_(clock) {}
  void OnRecord(const Record&, const RecordInfo&, const TraceContext&) override {}
  void OnConsole(std::span<const uint8_t> text, int64_t) override {
    const int64_t now = clock_.MonotonicNs();
    for (size_t i = 0; i < text.size(); ++i) shown_ns.push_back(now);
  }
  std::vector<int64_t> shown_ns;

 private:
  const Clock& clock_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Writes console text into a pty at 115200 baud pacing (a line, then a prompt without line end,
// then a pause) and measures, per text, the time from the write of its last byte to the moment a
// live trace session (console_latency as `tockctl trace` uses) hands that byte to its output.
void BM_ConsoleLatencyPty(benchmark::State& state) {
  int master = -1;
  int slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    state.SkipWithError("openpty failed");
    return;
  }
  termios raw{};
  ::tcgetattr(slave, &raw);
  ::cfmakeraw(&raw);
  ::tcsetattr(slave, TCSANOW, &raw);
  const Clock& clock = SystemClock();
  std::vector<double> line_ms;
  std::vector<double> prompt_ms;
  for (auto _ : state) {
    ConsoleTimes times(clock);
    SessionOptions options;
    options.poll = std::chrono::milliseconds(100);
    options.console_latency = std::chrono::milliseconds(25);
    options.hint_after_bytes = 0;
    TraceSession session(options, clock, {&times});
    FdSource source(slave);
    std::atomic<bool> stop{false};
    std::thread reader([&] { session.Run(source, stop); });
    const std::string line = "net_server: udp 2001:db8::1 port 5683 ready\r\n";
    const std::string prompt = "tock$ ";
    std::vector<std::pair<size_t, int64_t>> written;  // (byte count so far, write time)
    size_t total = 0;
    for (int i = 0; i < 20; ++i) {
      for (const std::string* text : {&line, &prompt}) {
        // 115200 baud, 8N1: ~87 us per byte.
        std::this_thread::sleep_for(std::chrono::microseconds(87 * text->size()));
        if (::write(master, text->data(), text->size()) != static_cast<ssize_t>(text->size())) {
          state.SkipWithError("pty write failed");
        }
        total += text->size();
        written.emplace_back(total, clock.MonotonicNs());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    stop = true;
    reader.join();
    for (size_t k = 0; k < written.size(); ++k) {
      const size_t last = written[k].first - 1;
      if (last >= times.shown_ns.size()) {
        state.SkipWithError("console bytes were not shown");
        break;
      }
      const double ms = static_cast<double>(times.shown_ns[last] - written[k].second) / 1e6;
      (k % 2 == 0 ? line_ms : prompt_ms).push_back(ms);
    }
  }
  ::close(master);
  ::close(slave);
  state.counters["line_p50_ms"] = Percentile(line_ms, 0.50);
  state.counters["line_p99_ms"] = Percentile(line_ms, 0.99);
  state.counters["prompt_p50_ms"] = Percentile(prompt_ms, 0.50);
  state.counters["prompt_p99_ms"] = Percentile(prompt_ms, 0.99);
}

// A ByteSource over the in-memory stream, as a replay would deliver it.
class MemoryStreamSource : public ByteSource {
 public:
  explicit MemoryStreamSource(const std::vector<uint8_t>& s) : s_(s) {}
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds) override {
    if (off_ >= s_.size()) return {ReadStatus::kEnd, 0, {}};
    const size_t n = std::min(buf.size(), s_.size() - off_);
    std::memcpy(buf.data(), s_.data() + off_, n);
    off_ += n;
    return {ReadStatus::kData, n, {}};
  }
  std::string Describe() const override { return "memory"; }

 private:
  const std::vector<uint8_t>& s_;
  size_t off_ = 0;
};

// Decodes `source` through a full trace session whose only output is a pcapng file.
uint64_t DecodeToPcapng(ByteSource& source, const std::string& capture) {
  FileBlockOutput out(capture);
  PcapngWriter writer(out, "tockctl bench");
  PcapngSink sink(writer);
  const Clock& clock = SystemClock();
  SessionOptions options;
  options.read_size = kChunk;
  TraceSession session(options, clock, {&sink});
  std::atomic<bool> stop{false};
  session.Run(source, stop);
  return session.written();
}

// Deletes a capture file left by the previous iteration; never touches /dev/null or a FIFO.
void RemoveIfRegularFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) std::filesystem::remove(path, ec);
}

void BM_DecodeToPcapng(benchmark::State& state) {
  const auto& s = Stream();
  uint64_t records = 0;
  double cpu = 0;
  double wall = 0;
  for (auto _ : state) {
    state.PauseTiming();  // truncating the previous iteration's capture is not part of the work
    RemoveIfRegularFile(Config().capture);
    state.ResumeTiming();
    MemoryStreamSource source(s);
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = ThreadCpuSeconds();
    records = DecodeToPcapng(source, Config().capture);
    cpu += ThreadCpuSeconds() - cpu0;
    wall += Seconds(std::chrono::steady_clock::now() - t0);
  }
  const auto n = static_cast<double>(state.iterations());
  ReportRates(state, records, cpu / n, wall / n);
}

BENCHMARK(BM_MemcpyBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeToPcapng)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeConsoleMix)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConsoleLatencyPty)->Unit(benchmark::kMillisecond)->Iterations(3);

// Peak resident set size (VmHWM) and current RSS (VmRSS) in KiB.
std::pair<long, long> MemoryKib() {
  std::ifstream status("/proc/self/status");
  long hwm = 0;
  long rss = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stol(line.substr(6));
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
  }
  return {hwm, rss};
}

// An endless source: a freshly generated stream, 8 MiB at a time, up to `total` bytes. The
// generator is part of the process, so its buffer is counted in the RSS figures.
class GeneratedSource : public ByteSource {
 public:
  explicit GeneratedSource(uint64_t total) : total_(total) { stream_.AppendPreamble(buf_); }
  ReadResult Read(std::span<uint8_t> out, std::chrono::milliseconds) override {
    if (delivered_ >= total_) return {ReadStatus::kEnd, 0, {}};
    if (pos_ >= buf_.size()) {
      buf_.clear();
      pos_ = 0;
      stream_.AppendMix(buf_, 8 * 1024 * 1024);
    }
    const size_t n =
        std::min({out.size(), buf_.size() - pos_, static_cast<size_t>(total_ - delivered_)});
    std::memcpy(out.data(), buf_.data() + pos_, n);
    pos_ += n;
    delivered_ += n;
    if (delivered_ / (256ull << 20) != (delivered_ - n) / (256ull << 20)) {
      const auto [hwm, rss] = MemoryKib();
      std::printf("  after %5.0f MiB: VmHWM %ld KiB, VmRSS %ld KiB\n",
                  static_cast<double>(delivered_) / (1 << 20), hwm, rss);
      std::fflush(stdout);
    }
    return {ReadStatus::kData, n, {}};
  }
  std::string Describe() const override { return "generated"; }

 private:
  SampleStream stream_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  uint64_t delivered_ = 0;
  uint64_t total_;
};

// Writes a generated stream of `mib` MiB to `path`, 8 MiB at a time.
int WriteStreamFile(const std::string& path, size_t mib) {
  std::ofstream out(path, std::ios::binary);
  SampleStream stream;
  std::vector<uint8_t> buf;
  stream.AppendPreamble(buf);
  size_t written = 0;
  while (written < mib * 1024 * 1024) {
    stream.AppendMix(buf, 8 * 1024 * 1024);
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    written += buf.size();
    buf.clear();
  }
  std::printf("wrote %zu bytes, %llu records to %s\n", written,
              static_cast<unsigned long long>(stream.records()), path.c_str());
  return out ? 0 : 1;
}

int RunRssMode() {
  const auto total = static_cast<uint64_t>(Config().rss_gib * 1024 * 1024 * 1024);
  const auto [hwm0, rss0] = MemoryKib();
  std::printf("streaming %.2f GiB through decoder + pcapng writer to %s\n", Config().rss_gib,
              Config().capture.c_str());
  std::printf("  at start:        VmHWM %ld KiB, VmRSS %ld KiB\n", hwm0, rss0);
  GeneratedSource source(total);
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t records = DecodeToPcapng(source, Config().capture);
  const double secs = Seconds(std::chrono::steady_clock::now() - t0);
  const auto [hwm, rss] = MemoryKib();
  std::printf("done: %llu records in %.1f s (generation included); peak RSS (VmHWM) %ld KiB\n",
              static_cast<unsigned long long>(records), secs, hwm);
  return 0;
}

bool TakeFlag(const std::string& arg, const char* name, std::string* value) {
  const std::string prefix = std::string(name) + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  *value = arg.substr(prefix.size());
  return true;
}

}  // namespace
}  // namespace tockctl::tracer

int main(int argc, char** argv) {
  using tockctl::tracer::Config;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string v;
    const std::string arg = argv[i];
    if (tockctl::tracer::TakeFlag(arg, "--stream-mib", &v)) {
      Config().stream_mib = std::stoul(v);
    } else if (tockctl::tracer::TakeFlag(arg, "--rss-gib", &v)) {
      Config().rss_gib = std::stod(v);
    } else if (tockctl::tracer::TakeFlag(arg, "--write-stream", &v)) {
      Config().write_stream = v;
    } else if (tockctl::tracer::TakeFlag(arg, "--capture", &v)) {
      Config().capture = v;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!Config().write_stream.empty()) {
    return tockctl::tracer::WriteStreamFile(Config().write_stream, Config().stream_mib);
  }
  if (Config().rss_gib > 0) return tockctl::tracer::RunRssMode();
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::remove(Config().stream_file.c_str());
  return 0;
}
