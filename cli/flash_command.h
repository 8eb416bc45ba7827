// The part of `tockctl flash` that `tockctl qemu start` and the app commands share: the
// environment of a job on a device, run a request, show progress, print the summary.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "cli/context.h"
#include "cli/stop_signals.h"
#include "common/process.h"
#include "devices/serial_lending.h"
#include "flasher/flash_job.h"
#include "flasher/progress.h"

namespace tockctl::cli {

/// What a job on a device needs while it runs: progress on stderr (JSON events on stdout with
/// --json, nothing with --quiet), Ctrl-C ending it with what it left on the device (exit 130),
/// and the board's serial port lent by a `tockctl console` or `trace` that holds it.
class DeviceJobScope {
 public:
  /// `command` names the job to the console that lends its port ("flash", "app install").
  DeviceJobScope(CliContext& ctx, const std::string& command,
                 std::function<void()> before_start = {});
  flasher::FlashEnvironment& env() { return env_; }

 private:
  flasher::ProgressPrinter progress_;
  PosixProcessRunner runner_;
  ScopedStopSignals signals_;
  devices::SerialLoanScope loan_;
  flasher::FlashEnvironment env_;
};

/// Runs `request` on the board `board` (catalog name) or `config` (board JSON file) with progress
/// on stderr, Ctrl-C ending the run, and prints the plan (dry run) or the summary as `tockctl
/// flash` does; returns the report. `before_start` runs right before the device is started.
/// Throws what flasher::RunFlash throws.
flasher::FlashReport RunFlashAndReport(flasher::FlashRequest& request,
                                       std::optional<std::string> board,
                                       const std::optional<std::string>& config, CliContext& ctx,
                                       std::function<void()> before_start = {});

}  // namespace tockctl::cli
