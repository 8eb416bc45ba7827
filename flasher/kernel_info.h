// `tockctl info`: the kernel attributes (common/kernel_attributes.h) of a kernel image file or of
// the kernel on a board, read through any flash back-end that can read memory (docs/info.md).
#pragma once

#include <optional>
#include <string>

#include "common/kernel_attributes.h"
#include "config/board.h"
#include "flasher/flash_backend.h"
#include "flasher/flash_job.h"
#include "flasher/image.h"

namespace tockctl::flasher {

/// Where the attributes were read from, for the report.
struct KernelInfo {
  KernelAttributes attributes;
  std::string source;  ///< "kernel.elf (.attributes section)", "board qemu_rv32_virt via gdb", ...
};

/// Reads the attributes of an image file. An ELF's `.attributes` section is read when it has one;
/// otherwise the attributes are the bytes just before the end of `kernel_flash` (the board's) or,
/// without a board, before the end of the image's last segment. A raw binary without --address
/// is placed at the kernel flash start its attributes give (Tock's .bin starts there), else at the
/// board's kernel flash. Throws what LoadImage throws, and Error(kInvalidInput) naming `path` when
/// the image holds no attributes block there (see ParseKernelAttributes).
KernelInfo ReadImageKernelInfo(const std::string& path, const ImageLoadOptions& load,
                               const config::MemoryRegion* kernel_flash);

/// Reads the last kKernelAttributesReadSize bytes of the board's kernel flash through the
/// back-end `request` selects (the qemu method attaches to the QEMU already running, as
/// `flash --verify-only` does), then lets the board run on (Start without an entry) or, for a
/// back-end that cannot start, disconnects. Throws Error(kUsage) for a back-end that cannot read,
/// the back-end's transport and device errors, and Error(kInvalidInput) naming the board when
/// the bytes hold no attributes block.
KernelInfo ReadBoardKernelInfo(const FlashRequest& request, const config::HardwareBoard& board,
                               FlashEnvironment& env);

/// Aligned lines for people: where from, then FormatKernelAttributes.
std::string FormatKernelInfo(const KernelInfo& info);

/// {"source": ..., then KernelAttributesToJson's fields}.
nlohmann::ordered_json KernelInfoToJson(const KernelInfo& info);

}  // namespace tockctl::flasher
