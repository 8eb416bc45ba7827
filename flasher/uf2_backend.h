// The `uf2` flash method: renders the image as UF2 for drag-and-drop bootloaders (RP2040/RP2350
// BOOTSEL and others) and writes it next to the image, to --output, or onto a mounted UF2 drive
// (--mount DIR, e.g. /media/$USER/RPI-RP2), which flashes and reboots the board.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "flasher/backend_registry.h"
#include "flasher/flash_backend.h"

namespace tockctl::flasher {

struct Uf2Settings {
  uint32_t family_id = 0;
  std::string image;                  ///< The image file being converted (for the default name).
  std::optional<std::string> output;  ///< --output FILE.
  std::optional<std::string> mount;   ///< --mount DIR, or the drive found mounted.
  bool mount_found = false;           ///< `mount` was found in the mount table, not given.
};

/// The Board-ID in INFO_UF2.TXT of the drive a family's boot ROM shows: "RPI-RP2" (RP2040),
/// "RP2350" (RP2350 families); "" for families tockctl knows no drive of.
std::string Uf2DriveBoardId(uint32_t family);

/// Mount points listed in `mount_table` (the /proc/self/mounts format) whose INFO_UF2.TXT says
/// "Board-ID: `board_id`", in table order.
std::vector<std::string> FindUf2Drives(const std::string& mount_table, const std::string& board_id);

/// Reads {"method":"uf2","family_id":"0xe48bff56"} (a number or a family name); throws
/// Error(kInvalidInput) when family_id is missing or unknown.
uint32_t ParseUf2MethodFamily(const nlohmann::ordered_json& method);

/// Where the UF2 file goes: --output, else DIR/<image name>.uf2 for --mount (DIR must hold the
/// drive's INFO_UF2.TXT), else the image path with .uf2; throws Error(kUsage) for a clash.
std::string Uf2Destination(const Uf2Settings& settings);

class Uf2FileBackend : public FlashBackend {
 public:
  Uf2FileBackend(Uf2Settings settings, std::shared_ptr<spdlog::logger> log);
  std::string name() const override { return "uf2"; }
  /// Write only (and reset with --mount: the drive reboots the board); nothing to read back.
  Capabilities capabilities() const override;
  /// Checks the destination before anything is written.
  void Connect(ProgressSink& progress) override;
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  /// Collects the segment.
  void Write(const Segment& segment, ProgressSink& progress) override;
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  void Start(std::optional<uint64_t> entry) override;
  /// Writes the UF2 file (once, if anything was written).
  void Disconnect() override;
  /// The file, when it was written beside the image or to --output rather than onto a drive.
  std::optional<WrittenFile> written_file() const override;

 private:
  Uf2Settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::string destination_;
  Image image_;
  ProgressSink* progress_ = nullptr;
  bool wrote_file_ = false;
};

/// The uf2 back-end. Without --output or --mount it looks for the board's drive (RPI-RP2, RP2350)
/// in /proc/self/mounts (TOCKCTL_MOUNT_TABLE overrides the path) and copies the image there;
/// throws Error(kUsage) when several are mounted.
std::unique_ptr<FlashBackend> CreateUf2Backend(const BackendOptions& options);

}  // namespace tockctl::flasher
