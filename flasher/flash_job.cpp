#include "flasher/flash_job.h"

#include "apps/placement.h"
#include "common/error.h"
#include "config/board_catalog.h"
#include "config/json_document.h"
#include "devices/qemu_instance.h"
#include "flasher/backend_registry.h"
#include "flasher/tock_bootloader_backend.h"

namespace tockctl::flasher {
namespace {

// --app TABs and TBFs go where `tockctl app install --erase` puts them (apps/placement: the TBF
// for the board's architecture, aligned for its protection unit, the list ended after the last
// one), as one image of app flash from its origin.
void LoadApps(const FlashRequest& request, const config::HardwareBoard& board,
              std::vector<Image>& images) {
  if (request.apps.empty()) return;
  apps::PlacementRequest placement;
  placement.board = board;
  placement.erase = true;
  for (const auto& path : request.apps) placement.bundles.push_back(apps::LoadAppBundle(path));
  const apps::PlacementPlan plan = apps::PlanPlacement(placement);
  Image image;
  image.source = request.apps.size() == 1 ? request.apps.front()
                                          : std::to_string(request.apps.size()) + " apps";
  image.format = "tbf";
  std::string names;
  for (const apps::PlannedApp& app : plan.apps)
    if (app.state != "padding") names += (names.empty() ? "apps: " : ", ") + app.name;
  image.segments.push_back(Segment{board.memory.app_flash.origin, apps::PlanImage(plan), names});
  images.push_back(std::move(image));
}

// An image for app flash (--region app) is what the kernel walks there: it must start with a TBF
// v2 header (or with erased flash, an empty app list), or the kernel finds no app in it.
void CheckAppFlashImage(const Image& image, const FlashRequest& request) {
  if (request.force || image.segments.empty()) return;
  const std::vector<uint8_t>& data = image.segments.front().data;
  if (data.size() >= apps::kTbfBaseHeaderSize) {
    const auto first = std::span(data).first(apps::kTbfBaseHeaderSize);
    if (std::all_of(first.begin(), first.end(), [](uint8_t b) { return b == 0xFF; })) return;
    const apps::TbfHeader h = apps::ParseTbfBaseHeader(first, request.image);
    if (h.version == 2 && h.header_size >= apps::kTbfBaseHeaderSize &&
        h.total_size >= h.header_size)
      return;
  }
  throw Error(ErrorCategory::kInvalidInput,
              request.image +
                  ": does not start with a TBF header, so the kernel would find no app "
                  "in it",
              ErrorContext{},
              "pass TABs or TBFs with --app (or tockctl app install), or --force to write it "
              "anyway");
}

std::vector<Image> LoadImages(const FlashRequest& request, const config::HardwareBoard& board) {
  std::vector<Image> images;
  ImageLoadOptions options;
  options.format = request.format;
  options.address = request.address;
  if (!options.address && request.image_is_app) options.address = board.memory.app_flash.origin;
  images.push_back(LoadImage(request.image, options));
  if (request.image_is_app) CheckAppFlashImage(images.front(), request);
  LoadApps(request, board, images);
  return images;
}

PlanOptions PlanOptionsFor(const FlashRequest& request) {
  PlanOptions options;
  options.force = request.force;
  options.steps.write = !request.verify_only;
  options.steps.verify = request.verify || request.verify_only;
  options.steps.start = request.start;
  return options;
}

void AnnounceForced(const FlashPlan& plan, ProgressSink& progress) {
  for (const auto& f : plan.forced) progress.Message("warning: writing anyway (--force): " + f);
  for (const auto& n : plan.notes) progress.Message("note: " + n);
}

}  // namespace

std::string MethodFor(const FlashRequest& request, const config::HardwareBoard& board) {
  std::string method = request.method.empty() ? board.default_flash_method : request.method;
  if (method.empty())
    throw Error(ErrorCategory::kUsage, "board " + board.name + " has no default flash method",
                ErrorContext{}, "pass --method (one of: " + KnownMethods() + ")");
  return method;
}

std::string BoardFromBootloader(const FlashRequest& request, const config::BoardSearch& search,
                                FlashEnvironment& env) {
  std::string attribute = ReadBootloaderBoardAttribute(request.port.value_or(""), env.log);
  auto catalog = config::BoardCatalog::Load(search);
  auto boards = BoardsWithBootloaderAttribute(attribute, catalog.Names());
  if (boards.empty())
    throw Error(ErrorCategory::kUsage,
                "the Tock bootloader says board \"" + attribute + "\", which is not in the catalog",
                ErrorContext{}, "pass --board NAME or --config FILE");
  env.progress->Message("board " + boards.front() + " (from the bootloader's \"board\" attribute)");
  return boards.front();
}

BackendOptions BackendOptionsFor(const FlashRequest& request, const config::HardwareBoard& board,
                                 const FlashEnvironment& env) {
  BackendOptions options;
  options.board = &board;
  options.method = MethodFor(request, board);
  options.method_settings = board.FindFlashMethod(options.method);
  options.remote = request.remote;
  options.port = request.port;
  options.probe = request.probe;
  options.output = request.output;
  options.mount = request.mount;
  options.image = request.image;
  options.force = request.force;
  options.verify_only = request.verify_only;
  options.attach = request.attach;
  options.qemu_netdev = request.qemu_netdev;
  options.qemu_args = request.qemu_args;
  options.qemu_name = request.qemu_name;
  if ((request.qemu_netdev || !request.qemu_args.empty()) && options.method != "qemu")
    throw Error(
        ErrorCategory::kUsage,
        "--netdev and --qemu-arg start QEMU, which the " + options.method + " method does not do",
        ErrorContext{}, "use --method qemu (or tockctl qemu start)");
  if (request.qemu_name != devices::kDefaultQemuName && options.method != "qemu" &&
      options.method != "gdb")
    throw Error(ErrorCategory::kUsage,
                "--qemu-name picks a QEMU started by tockctl, which the " + options.method +
                    " method does not use",
                ErrorContext{}, "use --method qemu or gdb");
  options.log = env.log;
  options.runner = env.runner;
  return options;
}

FlashReport RunFlash(const FlashRequest& request, const config::HardwareBoard& board,
                     FlashEnvironment& env) {
  FlashReport report;
  report.images = LoadImages(request, board);
  BackendOptions options = BackendOptionsFor(request, board, env);
  std::unique_ptr<FlashBackend> backend = CreateBackend(options);
  std::vector<PlanInput> inputs;
  for (size_t i = 0; i < report.images.size(); ++i)
    inputs.push_back({&report.images[i],
                      i == 0 && !request.image_is_app ? FlashTarget::kKernel : FlashTarget::kApp});
  report.plan =
      PlanFlash(inputs, board, options.method, backend->capabilities(), PlanOptionsFor(request));
  if (request.dry_run) return report;
  AnnounceForced(report.plan, *env.progress);
  report.outcome =
      ExecutePlan(report.plan, *backend, *env.progress, env.clock, env.stop, env.before_start);
  return report;
}

}  // namespace tockctl::flasher
