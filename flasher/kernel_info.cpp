#include "flasher/kernel_info.h"

#include <algorithm>

#include "common/byte_reader.h"
#include "common/elf_file.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "flasher/backend_registry.h"

namespace tockctl::flasher {
namespace {

std::optional<KernelInfo> FromElfSection(std::span<const uint8_t> bytes, const std::string& path) {
  ElfFile elf = ParseElfFile(bytes, path, ElfSymbols::kSkip);
  const ElfSection* section = elf.FindSection(".attributes");
  if (!section || !section->in_file()) return std::nullopt;
  uint64_t end = AddOrThrow(section->load_address, section->size, ".attributes end address");
  return KernelInfo{ParseKernelAttributes(SectionContents(bytes, *section), end, path),
                    path + " (.attributes section)"};
}

// The last (up to kKernelAttributesReadSize) bytes of `image` before `end`.
std::span<const uint8_t> TailOf(const Image& image, uint64_t end, const std::string& path) {
  for (const Segment& s : image.segments) {
    if (s.address >= end || end > s.end()) continue;
    uint64_t n = std::min<uint64_t>(end - s.address, kKernelAttributesReadSize);
    return std::span<const uint8_t>(s.data).subspan(end - s.address - n, n);
  }
  ErrorContext ctx;
  ctx.file = path;
  throw Error(ErrorCategory::kInvalidInput,
              "no kernel attributes: the image has no bytes just before " +
                  tockctl::HexNumber(end) + ", where they would end",
              ctx, "pass the --board the kernel was built for, or --address for a raw binary");
}

KernelInfo FromImageEnd(std::span<const uint8_t> bytes, const std::string& path,
                        ImageLoadOptions load, const config::MemoryRegion* kernel_flash) {
  bool guess_address = false;
  if (load.format == ImageFormat::kBin && !load.address) {
    load.address = kernel_flash ? kernel_flash->origin : 0;
    guess_address = !kernel_flash;
  }
  Image image = ParseImage(bytes, path, load);
  if (image.segments.empty()) {
    ErrorContext ctx;
    ctx.file = path;
    throw Error(ErrorCategory::kInvalidInput, "the image holds no bytes", ctx);
  }
  uint64_t end = kernel_flash ? kernel_flash->end() : image.segments.back().end();
  auto tail = TailOf(image, end, path);
  KernelInfo info{ParseKernelAttributes(tail, end, path), path};
  if (guess_address && info.attributes.kernel_flash) {
    uint64_t start = info.attributes.kernel_flash->start;
    info.attributes = ParseKernelAttributes(tail, end + start, path);
    info.source +=
        " (placed at " + tockctl::HexNumber(start) + ", the kernel flash start it gives)";
  } else if (guess_address) {
    info.source += " (placed at 0: pass --address for the real addresses)";
  }
  return info;
}

}  // namespace

KernelInfo ReadImageKernelInfo(const std::string& path, const ImageLoadOptions& load,
                               const config::MemoryRegion* kernel_flash) {
  std::vector<uint8_t> bytes = ReadBinaryFile(path);
  ImageLoadOptions options = load;
  if (!options.format) options.format = DetectImageFormat(bytes, path);
  if (options.format == ImageFormat::kElf)
    if (auto info = FromElfSection(bytes, path)) return *info;
  return FromImageEnd(bytes, path, options, kernel_flash);
}

KernelInfo ReadBoardKernelInfo(const FlashRequest& request, const config::HardwareBoard& board,
                               FlashEnvironment& env) {
  FlashRequest attach = request;
  attach.attach = true;  // Attach to a running QEMU instead of starting an empty one.
  BackendOptions options = BackendOptionsFor(attach, board, env);
  std::unique_ptr<FlashBackend> backend = CreateBackend(options);
  if (!backend->capabilities().read)
    throw Error(ErrorCategory::kUsage,
                "the " + options.method + " method cannot read " + board.name + "'s memory",
                ErrorContext{},
                "pass --method with one that can (gdb, qemu, tock-bootloader, openocd, jlink, "
                "probe-rs)");
  const config::MemoryRegion& flash = board.memory.kernel_flash;
  uint64_t n = std::min<uint64_t>(kKernelAttributesReadSize, flash.length);
  backend->Connect(*env.progress);
  std::vector<uint8_t> bytes = backend->Read(flash.end() - n, n);
  if (backend->capabilities().start)
    backend->Start(std::nullopt);
  else
    backend->Disconnect();
  std::string source = "board " + board.name + " via " + backend->name();
  return {ParseKernelAttributes(bytes, flash.end(), source), source};
}

std::string FormatKernelInfo(const KernelInfo& info) {
  return "source          " + info.source + "\n" + FormatKernelAttributes(info.attributes);
}

nlohmann::ordered_json KernelInfoToJson(const KernelInfo& info) {
  nlohmann::ordered_json j = {{"source", info.source}};
  j.update(KernelAttributesToJson(info.attributes));
  return j;
}

}  // namespace tockctl::flasher
