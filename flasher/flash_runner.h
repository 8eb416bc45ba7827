// Runs a checked flash plan against a back-end: connect, erase, write, verify, start.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "flasher/flash_backend.h"
#include "flasher/flash_plan.h"
#include "flasher/progress.h"

namespace tockctl::flasher {

/// Bytes and time of one phase.
struct PhaseStats {
  uint64_t bytes = 0;
  double seconds = 0;
};

/// What a run did.
struct FlashOutcome {
  PhaseStats erase;
  PhaseStats write;
  PhaseStats verify;
  double seconds = 0;  ///< Whole run, connect to disconnect.
  bool verified = false;
  bool started = false;
  std::string start_report;  ///< FlashBackend::StartReport() after Start.
};

/// Executes `plan` on `backend`, calling Begin/End on `progress` once per phase. A verify mismatch
/// throws Error(kDeviceReported) naming the segment and the first differing address; back-end
/// errors propagate unchanged. The back-end is disconnected (or started) at the end.
FlashOutcome ExecutePlan(const FlashPlan& plan, FlashBackend& backend, ProgressSink& progress,
                         const Clock& clock = SteadyClock());

/// "Flashed 1.00 MiB to qemu_rv32_virt via gdb in 0.42 s (2.38 MiB/s), verified, started at
/// 0x80000000".
std::string RenderSummary(const FlashPlan& plan, const FlashOutcome& outcome);

/// {"event":"summary", board, method, bytes, seconds, rate, erase/write/verify {bytes, seconds},
/// verified, started}.
nlohmann::ordered_json SummaryToJson(const FlashPlan& plan, const FlashOutcome& outcome);

}  // namespace tockctl::flasher
