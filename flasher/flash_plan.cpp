#include "flasher/flash_plan.h"

#include <algorithm>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/text_table.h"

namespace tockctl::flasher {
namespace {

const char* TargetRegionName(FlashTarget target) {
  return target == FlashTarget::kKernel ? "kernel flash" : "app flash";
}

const config::MemoryRegion& TargetRegion(const config::MemoryMap& map, FlashTarget target) {
  return target == FlashTarget::kKernel ? map.kernel_flash : map.app_flash;
}

bool Overlaps(uint64_t start, uint64_t end, const config::MemoryRegion& r) {
  return r.length > 0 && start < r.origin + r.length && r.origin < end;
}

std::string RegionRange(const config::MemoryRegion& r) {
  return AddressRange(r.origin, r.origin + r.length);
}

// Where a segment lands, for the plan table.
std::string LandingRegion(const config::MemoryMap& map, uint64_t start, uint64_t end) {
  for (const auto& r : map.reserved)
    if (Overlaps(start, end, r)) return r.name;
  if (map.kernel_flash.Contains(start, end - start)) return "kernel flash";
  if (map.app_flash.Contains(start, end - start)) return "app flash";
  if (map.ram.Contains(start, end - start)) return "ram";
  return "unmapped";
}

// Checks one segment against its region; returns the violation text or "".
std::string Violation(const config::HardwareBoard& board, FlashTarget target,
                      const std::string& what, uint64_t start, uint64_t end) {
  const auto& map = board.memory;
  std::string subject = what + " " + AddressRange(start, end);
  for (const auto& r : map.reserved) {
    if (Overlaps(start, end, r))
      return subject + " overlaps reserved region " + r.name + " " + RegionRange(r) + " of " +
             board.name;
  }
  const config::MemoryRegion& region = TargetRegion(map, target);
  std::string region_text =
      std::string(TargetRegionName(target)) + " " + RegionRange(region) + " of " + board.name;
  if (region.length == 0)
    return subject + " cannot be placed: " + board.name + " has no " + TargetRegionName(target);
  if (region.Contains(start, end - start)) return {};
  if (start >= region.origin && start < region.origin + region.length)
    return subject + " runs past the end of " + region_text + " by " +
           std::to_string(end - (region.origin + region.length)) + " bytes";
  return subject + " lies outside " + region_text;
}

void Check(FlashPlan& plan, const PlanOptions& options, const std::string& violation,
           const std::string& file = {}) {
  if (violation.empty()) return;
  ErrorContext ctx;
  ctx.file = file;
  if (!options.force)
    throw Error(ErrorCategory::kInvalidInput, violation, ctx, "use --force to write it anyway");
  plan.forced.push_back(violation);
}

std::vector<EraseRange> EraseRanges(const std::vector<PlannedSegment>& segments,
                                    uint32_t page_size) {
  std::vector<EraseRange> out;
  for (const auto& s : segments) {
    uint64_t start = s.start / page_size * page_size;
    auto rounded = CheckedAdd(s.end, page_size - 1);
    uint64_t end = rounded ? *rounded / page_size * page_size : s.end;
    if (!out.empty() && start <= out.back().end) {
      out.back().end = std::max(out.back().end, end);
    } else {
      out.push_back({start, end});
    }
  }
  return out;
}

void AddSegments(FlashPlan& plan, const std::vector<PlanInput>& inputs,
                 const config::HardwareBoard& board, const PlanOptions& options) {
  for (const auto& input : inputs) {
    if (input.image->segments.empty())
      throw Error(ErrorCategory::kInvalidInput, "image " + input.image->source + " has no data");
    for (const auto& s : input.image->segments) {
      Check(plan, options, Violation(board, input.target, "segment " + s.name, s.address, s.end()),
            input.image->source);
      plan.segments.push_back(
          {&s, s.name, s.address, s.end(), LandingRegion(board.memory, s.address, s.end())});
      plan.write_bytes += s.data.size();
    }
  }
  std::stable_sort(
      plan.segments.begin(), plan.segments.end(),
      [](const PlannedSegment& a, const PlannedSegment& b) { return a.start < b.start; });
  for (size_t i = 1; i < plan.segments.size(); ++i) {
    const auto& a = plan.segments[i - 1];
    const auto& b = plan.segments[i];
    if (a.end > b.start)
      throw Error(ErrorCategory::kInvalidInput,
                  "segments " + a.name + " " + AddressRange(a.start, a.end) + " and " + b.name +
                      " " + AddressRange(b.start, b.end) + " overlap");
  }
}

void CheckEraseRanges(FlashPlan& plan, const config::HardwareBoard& board,
                      const PlanOptions& options) {
  for (const auto& e : plan.erase) {
    for (const auto& r : board.memory.reserved) {
      if (Overlaps(e.start, e.end, r))
        Check(plan, options,
              "erase pages " + AddressRange(e.start, e.end) + " (page size " +
                  std::to_string(plan.page_size) + ") overlap reserved region " + r.name + " " +
                  RegionRange(r) + " of " + board.name);
    }
  }
}

void ChooseSteps(FlashPlan& plan, const Capabilities& caps, const PlanOptions& options) {
  plan.steps = options.steps;
  plan.steps.erase = caps.erase && options.steps.write;
  if (options.steps.write && !caps.write)
    throw Error(ErrorCategory::kUsage, "flash method " + plan.method + " cannot write");
  if (plan.steps.verify && !caps.verify) {
    plan.steps.verify = false;
    plan.notes.push_back("verify skipped: " + plan.method + " cannot read back or check a CRC");
  }
  if (!options.steps.write && !caps.verify)
    throw Error(ErrorCategory::kUsage, "flash method " + plan.method + " cannot verify");
  if (plan.steps.start && !caps.start && !caps.reset) {
    plan.steps.start = false;
    plan.notes.push_back("start skipped: " + plan.method + " cannot start or reset the device");
  }
}

}  // namespace

FlashPlan PlanFlash(const std::vector<PlanInput>& inputs, const config::HardwareBoard& board,
                    const std::string& method, const Capabilities& capabilities,
                    const PlanOptions& options) {
  if (board.page_size == 0)
    throw Error(ErrorCategory::kInvalidInput, "board " + board.name + " has page size 0");
  FlashPlan plan;
  plan.board = board.name;
  plan.method = method;
  plan.page_size = board.page_size;
  for (const auto& input : inputs) {
    plan.sources.push_back(input.image->source);
    plan.notes.insert(plan.notes.end(), input.image->notes.begin(), input.image->notes.end());
  }
  if (!inputs.empty()) {
    plan.format = inputs.front().image->format;
    plan.entry = inputs.front().image->entry;
  }
  AddSegments(plan, inputs, board, options);
  plan.erase = EraseRanges(plan.segments, plan.page_size);
  for (const auto& e : plan.erase) plan.erase_bytes += e.end - e.start;
  CheckEraseRanges(plan, board, options);
  ChooseSteps(plan, capabilities, options);
  return plan;
}

nlohmann::ordered_json PlanToJson(const FlashPlan& plan) {
  nlohmann::ordered_json j;
  j["board"] = plan.board;
  j["method"] = plan.method;
  j["images"] = plan.sources;
  j["format"] = plan.format;
  j["entry"] = plan.entry ? nlohmann::ordered_json(HexAddress(*plan.entry)) : nullptr;
  j["segments"] = nlohmann::ordered_json::array();
  for (const auto& s : plan.segments)
    j["segments"].push_back({{"name", s.name},
                             {"start", HexAddress(s.start)},
                             {"end", HexAddress(s.end)},
                             {"size", s.end - s.start},
                             {"region", s.region}});
  j["page_size"] = plan.page_size;
  j["erase"] = nlohmann::ordered_json::array();
  for (const auto& e : plan.erase)
    j["erase"].push_back({{"start", HexAddress(e.start)}, {"end", HexAddress(e.end)}});
  j["erase_bytes"] = plan.erase_bytes;
  j["write_bytes"] = plan.write_bytes;
  j["steps"] = {{"erase", plan.steps.erase},
                {"write", plan.steps.write},
                {"verify", plan.steps.verify},
                {"start", plan.steps.start}};
  j["forced"] = plan.forced;
  j["notes"] = plan.notes;
  return j;
}

namespace {

std::string StepsLine(const FlashPlan& plan) {
  std::vector<std::string> steps;
  if (plan.steps.erase) steps.push_back("erase " + std::to_string(plan.erase_bytes) + " bytes");
  if (plan.steps.write) steps.push_back("write " + std::to_string(plan.write_bytes) + " bytes");
  if (plan.steps.verify) steps.emplace_back("verify");
  if (plan.steps.start && !plan.steps.write)
    steps.emplace_back("resume");
  else if (plan.steps.start)
    steps.push_back(plan.entry ? "start at " + HexAddress(*plan.entry) : "reset");
  std::string out = "Steps:";
  for (size_t i = 0; i < steps.size(); ++i) out += (i ? ", " : " ") + steps[i];
  return out + "\n";
}

}  // namespace

std::string RenderPlan(const FlashPlan& plan) {
  std::string out = "Flash plan for " + plan.board + " via " + plan.method + ": ";
  for (size_t i = 0; i < plan.sources.size(); ++i) out += (i ? ", " : "") + plan.sources[i];
  out += " (" + plan.format + (plan.entry ? ", entry " + HexAddress(*plan.entry) : "") + ")\n";
  std::vector<std::vector<std::string>> rows = {{"SEGMENT", "START", "END", "SIZE", "REGION"}};
  for (const auto& s : plan.segments)
    rows.push_back({s.name, HexAddress(s.start), HexAddress(s.end), std::to_string(s.end - s.start),
                    s.region});
  out += RenderTextTable(rows, "  ");
  out += "Erase pages (" + std::to_string(plan.page_size) + " bytes):";
  for (size_t i = 0; i < plan.erase.size(); ++i)
    out += (i ? ", " : " ") + AddressRange(plan.erase[i].start, plan.erase[i].end);
  out += plan.steps.erase ? "\n" : " (" + plan.method + " needs no separate erase)\n";
  out += StepsLine(plan);
  for (const auto& f : plan.forced) out += "Forced: " + f + "\n";
  for (const auto& n : plan.notes) out += "Note: " + n + "\n";
  return out;
}

}  // namespace tockctl::flasher
