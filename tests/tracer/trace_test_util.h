// Helpers shared by the tracer tests: building frames and collecting decoded records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/trace_encoding/record_encoder.h"
#include "tracer/json_lines.h"
#include "tracer/trace_decoder.h"

namespace tockctl::tracer::testing {

/// Collects every record and console piece as its JSON line, and the console bytes.
class JsonCollector : public RecordHandler {
 public:
  void OnRecord(const Record& record, bool seq_reset) override {
    std::string line;
    AppendRecordJson(record, line);
    line.pop_back();
    lines.push_back(line);
    resets.push_back(seq_reset);
  }
  void OnConsole(std::span<const uint8_t> text) override {
    std::string line;
    AppendConsoleJson(text, line);
    line.pop_back();
    lines.push_back(line);
    resets.push_back(false);
    console.append(text.begin(), text.end());
  }
  std::vector<std::string> lines;
  std::vector<bool> resets;
  std::string console;  ///< Every console byte, in order.
};

/// Wire bytes of one record (a v2 frame unless `version` is 1).
inline std::vector<uint8_t> Frame(RecordType type, uint32_t seq, uint64_t ticks,
                                  const RecordBody& body, uint16_t flags = 0,
                                  uint8_t version = kProtocolVersion) {
  std::vector<uint8_t> wire;
  RecordHeader h;
  h.version = version;
  h.type = type;
  h.seq = seq;
  h.ticks = ticks;
  h.flags = flags;
  AppendRecordFrame(h, body, wire);
  return wire;
}

/// Wire bytes of an IPC_SEND with the given seq.
inline std::vector<uint8_t> SendFrame(uint32_t seq, uint8_t version = kProtocolVersion) {
  IpcMessage m{1, 2, 3, 7, seq, 16, 0};
  return Frame(RecordType::kIpcSend, seq, 1000 + seq, m, 0, version);
}

inline void Append(std::vector<uint8_t>& to, const std::vector<uint8_t>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

}  // namespace tockctl::tracer::testing

#include <deque>

#include "tracer/byte_source.h"

namespace tockctl::tracer::testing {

/// An in-memory ByteSource: plays scripted reads (data chunks and link events), then kEnd.
class MemorySource : public ByteSource {
 public:
  /// Queues `bytes` to be delivered in reads of at most `chunk` bytes.
  void AddData(const std::vector<uint8_t>& bytes, size_t chunk = 4096) {
    for (size_t off = 0; off < bytes.size(); off += chunk) {
      Step s;
      s.status = ReadStatus::kData;
      s.data.assign(bytes.begin() + static_cast<ptrdiff_t>(off),
                    bytes.begin() + static_cast<ptrdiff_t>(std::min(bytes.size(), off + chunk)));
      steps_.push_back(std::move(s));
    }
  }
  /// Queues a read that returns `status` with `detail`.
  void AddEvent(ReadStatus status, std::string detail = {}) {
    Step s;
    s.status = status;
    s.detail = std::move(detail);
    steps_.push_back(std::move(s));
  }
  /// If set, the source never ends: it returns kTimeout once the script is used up.
  void set_endless(bool endless) { endless_ = endless; }

  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds) override {
    ++reads;
    ReadResult r;
    if (steps_.empty()) {
      r.status = endless_ ? ReadStatus::kTimeout : ReadStatus::kEnd;
      return r;
    }
    Step& s = steps_.front();
    r.status = s.status;
    r.detail = s.detail;
    if (s.status == ReadStatus::kData) {
      r.bytes = std::min(buf.size(), s.data.size());
      std::copy(s.data.begin(), s.data.begin() + static_cast<ptrdiff_t>(r.bytes), buf.begin());
      s.data.erase(s.data.begin(), s.data.begin() + static_cast<ptrdiff_t>(r.bytes));
      if (!s.data.empty()) return r;
    }
    steps_.pop_front();
    return r;
  }
  std::string Describe() const override { return "memory"; }

  int reads = 0;

 private:
  struct Step {
    ReadStatus status = ReadStatus::kData;
    std::vector<uint8_t> data;
    std::string detail;
  };
  std::deque<Step> steps_;
  bool endless_ = false;
};

}  // namespace tockctl::tracer::testing
