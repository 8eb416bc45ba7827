// Helpers shared by the tracer tests: building frames and collecting decoded records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tracer/json_lines.h"
#include "tracer/record_encoder.h"
#include "tracer/trace_decoder.h"

namespace tockctl::tracer::testing {

/// Collects every record as its JSON line.
class JsonCollector : public RecordHandler {
 public:
  void OnRecord(const Record& record, bool seq_reset) override {
    std::string line;
    AppendRecordJson(record, line);
    line.pop_back();
    lines.push_back(line);
    resets.push_back(seq_reset);
  }
  std::vector<std::string> lines;
  std::vector<bool> resets;
};

/// Wire bytes of one record.
inline std::vector<uint8_t> Frame(RecordType type, uint32_t seq, uint64_t ticks,
                                  const RecordBody& body, uint16_t flags = 0) {
  std::vector<uint8_t> wire;
  RecordHeader h;
  h.type = type;
  h.seq = seq;
  h.ticks = ticks;
  h.flags = flags;
  AppendRecordFrame(h, body, wire);
  return wire;
}

/// Wire bytes of an IPC_SEND with the given seq.
inline std::vector<uint8_t> SendFrame(uint32_t seq) {
  IpcMessage m{1, 2, 3, 7, seq, 16, 0};
  return Frame(RecordType::kIpcSend, seq, 1000 + seq, m);
}

inline void Append(std::vector<uint8_t>& to, const std::vector<uint8_t>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

}  // namespace tockctl::tracer::testing
