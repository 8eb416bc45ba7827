// `tockctl flash` as one library call: load images, choose the back-end, plan, check, run.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/board.h"
#include "config/board_catalog.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_plan.h"
#include "flasher/flash_runner.h"
#include "flasher/image.h"
#include "flasher/progress.h"

namespace tockctl {
class ProcessRunner;
}

namespace tockctl::flasher {

/// What the user asked for.
struct FlashRequest {
  std::string image;                  ///< Kernel (or any) image file.
  std::optional<ImageFormat> format;  ///< --format for the image.
  std::optional<uint64_t> address;    ///< --address for a raw binary image.
  std::vector<std::string> apps;      ///< --app files, placed in app flash one after another.
  bool image_is_app = false;          ///< --region app: the image itself belongs in app flash.
  std::string method;                 ///< --method; empty = the board's default.
  bool force = false;
  bool dry_run = false;
  bool verify = true;
  bool start = true;
  bool verify_only = false;  ///< Compare the device with the image, write nothing.
  /// Attach to what runs (the QEMU started earlier) instead of starting it: tockctl info and the
  /// app commands, which work on the kernel the board runs.
  bool attach = false;
  std::optional<std::string> remote;
  std::optional<std::string> port;
  std::optional<std::string> probe;
  std::optional<std::string> output;
  std::optional<std::string> mount;
  std::optional<std::string> qemu_netdev;  ///< --netdev for the qemu method.
  std::vector<std::string> qemu_args;      ///< --qemu-arg for the qemu method.
  std::string qemu_name = "default";       ///< --qemu-name (qemu start --name) for the qemu method.
};

/// Side effects the job uses.
struct FlashEnvironment {
  std::shared_ptr<spdlog::logger> log;
  ProcessRunner* runner = nullptr;
  ProgressSink* progress = nullptr;
  const Clock& clock = SystemClock();       ///< Tests pass a ManualClock.
  const std::atomic<bool>* stop = nullptr;  ///< Set by a signal handler: end the run (exit 130).
  std::function<void()> before_start = nullptr;  ///< Runs right before the device starts.
};

/// What happened: the plan, and the outcome unless it was a dry run.
struct FlashReport {
  FlashPlan plan;
  std::optional<FlashOutcome> outcome;
  std::vector<Image> images;  ///< Owned images the plan points into.
};

/// For `--method tock-bootloader` without --board or --config: asks the bootloader on
/// request.port (or the only Tock-looking port) for its "board" attribute and returns the
/// catalog board that carries it, telling env.progress. Throws Error(kUsage) when no catalog
/// board does, and the bootloader's errors when it cannot be reached.
std::string BoardFromBootloader(const FlashRequest& request, const config::BoardSearch& search,
                                FlashEnvironment& env);

/// The flash method of `request` on `board`: --method, else the board's default; Error(kUsage)
/// when neither names one.
std::string MethodFor(const FlashRequest& request, const config::HardwareBoard& board);

/// The back-end options for `request` on `board`: the method (--method, else the board's default;
/// Error(kUsage) when neither names one), its board JSON entry, the device selection, `env`'s
/// logger and process runner. `board` must outlive the options. Throws Error(kUsage) when QEMU
/// options are given for another method than qemu.
BackendOptions BackendOptionsFor(const FlashRequest& request, const config::HardwareBoard& board,
                                 const FlashEnvironment& env);

/// Runs the request on `board`: loads the image and apps, creates the back-end, plans and checks
/// the plan (see PlanFlash), then, unless dry_run, executes it with progress. Forced violations
/// and plan notes are passed to the progress sink as messages before anything is written.
FlashReport RunFlash(const FlashRequest& request, const config::HardwareBoard& board,
                     FlashEnvironment& env);

}  // namespace tockctl::flasher
