// Runs a checked flash plan against a back-end: connect, erase, write, verify, start.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
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
  std::string start_report;                       ///< FlashBackend::StartReport() after Start.
  std::optional<WrittenFile> written_file;        ///< Set when a file was written, not the device.
  nlohmann::ordered_json left_running = nullptr;  ///< The back-end's started_json() (QEMU).
};

/// Executes `plan` on `backend`, calling Begin/End on `progress` once per phase. A verify mismatch
/// throws Error(kDeviceReported) naming the segment and the first differing address. Once *stop
/// is set (Ctrl-C), the next progress step throws Error(kInterrupted). Back-end errors and the
/// interruption are rethrown with the phase they ended and what that leaves on the device ("the
/// image on the device is partial (12.0 KiB of 40.0 KiB written) ..."). The back-end is
/// disconnected (or started) at the end. `before_start`, if set, runs after verify and right
/// before the device is started (`tockctl run` connects its console there, so that nothing the
/// image prints at boot is missed).
FlashOutcome ExecutePlan(const FlashPlan& plan, FlashBackend& backend, ProgressSink& progress,
                         const Clock& clock = SystemClock(),
                         const std::atomic<bool>* stop = nullptr,
                         const std::function<void()>& before_start = {});

/// "Flashed 1.00 MiB to qemu_rv32_virt via gdb in 0.42 s (2.38 MiB/s), verified, started at
/// 0x80000000"; when only a file was written: "Wrote 4.0 KiB for raspberry_pi_pico to FILE via
/// uf2 in 0.01 s; the board is not flashed yet: NEXT STEP".
std::string RenderSummary(const FlashPlan& plan, const FlashOutcome& outcome);

/// {"event":"summary", board, method, bytes, seconds, rate, erase/write/verify {bytes, seconds},
/// verified, started, file (the file written instead of the device, or null)}, plus the fields of
/// outcome.left_running (e.g. "qemu").
nlohmann::ordered_json SummaryToJson(const FlashPlan& plan, const FlashOutcome& outcome);

}  // namespace tockctl::flasher
