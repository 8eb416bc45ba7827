// A synthetic but realistic trace stream (HELLO, processes, services, IPC, RPC, upcalls, Ethernet/
// IPv6/UDP and 802.15.4 frames, drops, deliveries) for benchmarks and tests
// (library tockctl_trace_encoding, not shipped).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace tockctl::tracer {

/// Parameters of the synthetic stream.
struct SampleStreamOptions {
  uint64_t seed = 1;
  uint32_t tick_hz = 1000000;
  uint8_t version = 2;  ///< Protocol version of the frames (1: a lone 0x00 starts the stream).
};

/// Generates wire bytes of a plausible device: two processes talking over two services, an
/// Ethernet interface (eth0, linktype 1) and an 802.15.4 radio (wpan0, linktype 230).
class SampleStream {
 public:
  explicit SampleStream(SampleStreamOptions options = {});

  /// Appends HELLO, PROC_START, IPC_REGISTER and NET_UP records.
  void AppendPreamble(std::vector<uint8_t>& wire);
  /// Appends a mix of records until `wire` has grown by at least `bytes`; re-sends HELLO every
  /// 2 s of device time.
  void AppendMix(std::vector<uint8_t>& wire, size_t bytes);
  /// Appends one IPC exchange (send, receive, RPC call and return, upcall).
  void AppendIpcExchange(std::vector<uint8_t>& wire);
  /// Appends one NET_TX of an Ethernet/IPv6/UDP frame with `payload_len` UDP payload bytes.
  void AppendUdpTx(std::vector<uint8_t>& wire, size_t payload_len);
  /// Appends one NET_RX of an 802.15.4 data frame and its NET_DELIVER.
  void AppendRadioRx(std::vector<uint8_t>& wire);
  /// Appends one NET_DROP (rx, queue full) of a short Ethernet frame.
  void AppendDrop(std::vector<uint8_t>& wire);
  /// Appends console text as a Tock kernel prints it between frames (protocol v2): a debug!()
  /// line, a process-console reply or the `tock$ ` prompt, at least `bytes` bytes in all.
  void AppendConsole(std::vector<uint8_t>& wire, size_t bytes);

  /// Records appended so far.
  uint64_t records() const { return seq_; }

 private:
  void Put(std::vector<uint8_t>& wire, uint8_t type, const std::vector<uint8_t>& body,
           uint16_t flags = 0);
  void PutHello(std::vector<uint8_t>& wire);
  void Advance(uint64_t min_ticks, uint64_t max_ticks);
  std::vector<uint8_t> UdpFrame(size_t payload_len);
  std::vector<uint8_t> RadioFrame(size_t payload_len);

  SampleStreamOptions options_;
  std::mt19937_64 rng_;
  uint32_t seq_ = 0;
  uint64_t ticks_ = 0;
  uint64_t last_hello_ticks_ = 0;
  uint32_t msg_id_ = 0;
  uint32_t call_id_ = 0;
  uint8_t radio_seq_ = 0;
  std::vector<uint8_t> body_;
};

}  // namespace tockctl::tracer
