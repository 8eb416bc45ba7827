// The part of `tockctl flash` that `tockctl qemu start` shares: run a request, show progress,
// print the summary.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "cli/context.h"
#include "flasher/flash_job.h"

namespace tockctl::cli {

/// Runs `request` on the board `board` (catalog name) or `config` (board JSON file) with progress
/// on stderr, Ctrl-C ending the run, and prints the plan (dry run) or the summary as `tockctl
/// flash` does; returns the report. `before_start` runs right before the device is started.
/// Throws what flasher::RunFlash throws.
flasher::FlashReport RunFlashAndReport(flasher::FlashRequest& request,
                                       std::optional<std::string> board,
                                       const std::optional<std::string>& config, CliContext& ctx,
                                       std::function<void()> before_start = {});

}  // namespace tockctl::cli
