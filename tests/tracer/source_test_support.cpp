#include "tests/tracer/source_test_support.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tockctl::tracer::testing {

using Steady = std::chrono::steady_clock;

Collected ReadUntil(ByteSource& source, size_t want, std::chrono::milliseconds limit,
                    size_t chunk) {
  Collected out;
  std::vector<uint8_t> buf(chunk);
  auto deadline = Steady::now() + limit;
  while (out.bytes.size() < want && Steady::now() < deadline) {
    ReadResult r = source.Read(buf, std::chrono::milliseconds(50));
    if (r.status == ReadStatus::kData) {
      out.bytes.insert(out.bytes.end(), buf.begin(), buf.begin() + static_cast<long>(r.bytes));
    } else if (r.status != ReadStatus::kTimeout) {
      out.events.push_back(r);
      break;
    }
  }
  return out;
}

ReadResult WaitForStatus(ByteSource& source, ReadStatus status, std::chrono::milliseconds limit,
                         std::vector<uint8_t>* data) {
  std::vector<uint8_t> buf(4096);
  auto deadline = Steady::now() + limit;
  while (Steady::now() < deadline) {
    ReadResult r = source.Read(buf, std::chrono::milliseconds(50));
    if (r.status == status) return r;
    if (r.status == ReadStatus::kData && data != nullptr) {
      data->insert(data->end(), buf.begin(), buf.begin() + static_cast<long>(r.bytes));
    } else if (r.status != ReadStatus::kData && r.status != ReadStatus::kTimeout) {
      ADD_FAILURE() << "expected " << StatusName(status) << ", got " << StatusName(r.status) << ": "
                    << r.detail;
      return r;
    }
  }
  ADD_FAILURE() << "no " << StatusName(status) << " within " << limit.count() << " ms";
  return {};
}

std::vector<uint8_t> CountingBytes(size_t n, uint8_t first) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

const char* StatusName(ReadStatus status) {
  switch (status) {
    case ReadStatus::kData:
      return "kData";
    case ReadStatus::kTimeout:
      return "kTimeout";
    case ReadStatus::kDisconnected:
      return "kDisconnected";
    case ReadStatus::kReconnected:
      return "kReconnected";
    case ReadStatus::kEnd:
      return "kEnd";
  }
  return "?";
}

std::shared_ptr<spdlog::logger> TestLogger() {
  if (std::getenv("TOCKCTL_TEST_LOG") != nullptr) {
    auto log =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    log->set_level(spdlog::level::trace);
    return log;
  }
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace tockctl::tracer::testing
