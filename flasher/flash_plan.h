// The flash plan: what will be written where, computed and checked against the board's memory map
// before any device is touched.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/board.h"
#include "flasher/flash_backend.h"

namespace tockctl::flasher {

/// Which flash region an image belongs in.
enum class FlashTarget { kKernel, kApp };

/// An image and the region it must fit.
struct PlanInput {
  const Image* image = nullptr;
  FlashTarget target = FlashTarget::kKernel;
};

/// One segment of the plan.
struct PlannedSegment {
  const Segment* segment = nullptr;  ///< Points into a PlanInput image (alive while the plan is).
  std::string name;
  uint64_t start = 0;
  uint64_t end = 0;
  std::string region;  ///< Where it lands: "kernel flash", "app flash", "ram", a reserved name, or
                       ///< "unmapped".
};

/// A page-aligned range to erase, [start, end).
struct EraseRange {
  uint64_t start = 0;
  uint64_t end = 0;
};

/// Which steps run.
struct PlanSteps {
  bool connect = true;  ///< False when the caller connected the back-end (the app commands).
  bool erase = false;   ///< Set by the planner when the back-end erases explicitly.
  bool write = true;
  bool verify = true;
  bool start = true;
  /// Start by restarting what the device holds (FlashBackend::Restart), not at the image's entry:
  /// the app commands, whose writes leave the kernel in place.
  bool restart = false;
};

/// The whole plan.
struct FlashPlan {
  std::string board;
  std::string method;
  std::vector<std::string> sources;      ///< Image files, kernel first.
  std::string format;                    ///< Format of the first image.
  std::optional<uint64_t> entry;         ///< Entry of the kernel image.
  std::vector<PlannedSegment> segments;  ///< Sorted by address.
  std::vector<EraseRange> erase;         ///< Merged page-aligned ranges covering every segment.
  uint32_t page_size = 0;
  uint64_t write_bytes = 0;
  uint64_t erase_bytes = 0;
  PlanSteps steps;
  std::vector<std::string> forced;  ///< Memory-map violations written anyway because of --force.
  std::vector<std::string> notes;   ///< Steps skipped because the back-end cannot do them.
};

/// Options that shape the plan.
struct PlanOptions {
  bool force = false;
  PlanSteps steps;  ///< What the user asked for (erase is decided by the back-end).
};

/// Computes the plan for `inputs` on `board` with a back-end of `capabilities`. Every segment must
/// lie inside kernel flash (or app flash for app images), and neither a segment nor its erase
/// pages may touch a reserved region; otherwise throws Error(kInvalidInput) naming the segment,
/// the region and the board, with the hint "use --force to write it anyway" (with force the
/// violation is recorded in FlashPlan::forced). Throws Error(kInvalidInput) for overlapping
/// images, an empty image, or a board page size of 0; Error(kUsage) when the back-end cannot
/// write.
FlashPlan PlanFlash(const std::vector<PlanInput>& inputs, const config::HardwareBoard& board,
                    const std::string& method, const Capabilities& capabilities,
                    const PlanOptions& options);

/// The plan as JSON (addresses as hex strings).
nlohmann::ordered_json PlanToJson(const FlashPlan& plan);

/// The plan as lines for people: a header, a segment table, erase ranges and the steps.
std::string RenderPlan(const FlashPlan& plan);

}  // namespace tockctl::flasher
