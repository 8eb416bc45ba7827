// Flashing through external programs: OpenOCD, SEGGER JLinkExe (with a generated commander
// script), probe-rs and nrfutil. Each segment is written to a file in a private temporary
// directory and handed to the tool as an argument vector built from the board JSON method
// settings (never through a shell). docs/flashing-serial-usb.md#external-tools.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/process.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_backend.h"

namespace tockctl::flasher {

enum class ExternalTool { kOpenOcd, kJLink, kProbeRs, kNrfutil };

/// What the tool needs to know, from the method object and the command line.
struct ExternalToolSettings {
  ExternalTool tool = ExternalTool::kOpenOcd;
  std::vector<std::string> openocd_scripts;  ///< -f arguments in order (config, then tock_config).
  std::string jlink_device;
  std::string jlink_interface = "swd";
  uint32_t jlink_speed_khz = 1200;
  std::string chip;                  ///< probe-rs --chip.
  bool allow_erase_all = false;      ///< probe-rs --allow-erase-all.
  std::optional<std::string> probe;  ///< --usb VID:PID[:SERIAL] from the command line.
};

/// Reads the method object of `method` ("openocd", "jlink", "probe-rs", "nrfutil"). A
/// `tock_config` file is looked up in `tock_dir` (the Tock checkout, from $TOCK_DIR); throws
/// Error(kInvalidInput) for bad keys and Error(kUsage) when a needed checkout is not given.
ExternalToolSettings ParseExternalToolSettings(const std::string& method,
                                               const nlohmann::ordered_json& settings,
                                               const std::optional<std::string>& tock_dir,
                                               const std::optional<std::string>& probe);

/// The program name run for a tool ("openocd", "JLinkExe", "probe-rs", "nrfutil").
const char* ExternalToolProgram(ExternalTool tool);
/// Method name ("openocd", "jlink", "probe-rs", "nrfutil").
const char* ExternalToolMethod(ExternalTool tool);

/// One run of a tool: its argument vector and, for JLinkExe, the commander script to write first.
struct ToolRun {
  std::vector<std::string> argv;
  std::string script_path;  ///< Empty when there is no script.
  std::string script;
};

/// The runs for each step; `file` is the segment written as .bin (.hex for nrfutil).
ToolRun BuildWriteRun(const ExternalToolSettings& s, const std::string& file, uint64_t address,
                      const std::string& script_path);
ToolRun BuildVerifyRun(const ExternalToolSettings& s, const std::string& file, uint64_t address,
                       const std::string& script_path);
ToolRun BuildStartRun(const ExternalToolSettings& s, const std::string& script_path);
/// Reads `length` bytes at `address` into `file` (OpenOCD `dump_image`, J-Link `savebin`), or to
/// standard output as hex bytes (`probe-rs read b8`). nrfutil cannot read: Error(kInternal).
ToolRun BuildReadRun(const ExternalToolSettings& s, const std::string& file, uint64_t address,
                     uint64_t length, const std::string& script_path);
/// The bytes of a read run's output: `file` for OpenOCD and J-Link, `stdout_text` parsed as
/// space-separated hex bytes for probe-rs. Throws Error(kToolFailed) when they are not `length`
/// bytes.
std::vector<uint8_t> ReadRunBytes(const ExternalToolSettings& s, const std::string& file,
                                  const std::string& stdout_text, uint64_t length);

/// A private directory removed with its contents on destruction.
class ScratchDirectory {
 public:
  /// Creates it under the system temporary directory; throws Error(kIo).
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The `openocd`, `jlink`, `probe-rs` and `nrfutil` flash methods.
class ExternalToolBackend : public FlashBackend {
 public:
  /// Finds a program on PATH (FindProgram in production).
  using ProgramFinder = std::function<std::optional<std::string>(const std::string&)>;

  ExternalToolBackend(ExternalToolSettings settings, ProcessRunner& runner,
                      std::shared_ptr<spdlog::logger> log, ProgramFinder find = FindProgram);
  ~ExternalToolBackend() override;

  std::string name() const override { return ExternalToolMethod(settings_.tool); }
  /// Write, verify and reset; the tools erase what they program, so no separate erase.
  Capabilities capabilities() const override;
  /// Checks that the program is on PATH (Error(kToolFailed) with an install hint otherwise).
  void Connect(ProgressSink& progress) override;
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  void Write(const Segment& segment, ProgressSink& progress) override;
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  void Start(std::optional<uint64_t> entry) override;
  void Disconnect() override;
  /// Resets the chip and lets it run (the tool's reset command), as Start does.
  std::optional<std::string> Restart() override;

 private:
  std::string SegmentFile(const Segment& segment);
  std::string NextScriptPath(const char* step);
  ProcessResult Run(const ToolRun& run, const std::string& operation, bool failure_is_result);
  /// Throws Error(kToolFailed) with the tool's last output lines unless the run succeeded.
  void CheckExit(const ToolRun& run, const ProcessResult& result, const std::string& operation);

  ExternalToolSettings settings_;
  ProcessRunner& runner_;
  std::shared_ptr<spdlog::logger> log_;
  ProgramFinder find_;
  std::unique_ptr<ScratchDirectory> scratch_;
  int files_ = 0;
};

/// What a tool printed that means the target memory differs (a verify mismatch), or nullopt.
std::optional<std::string> FindVerifyMismatch(ExternalTool tool, const ProcessResult& result);

/// Registry factory for openocd, jlink, probe-rs and nrfutil (options.method says which); a
/// Tock checkout for `tock_config` comes from $TOCK_DIR.
std::unique_ptr<FlashBackend> CreateExternalToolBackend(const BackendOptions& options);

/// Registry factory for `external`: a board flashed with a tool of its own that tockctl does not
/// drive (opentitantool, esptool.py, ...). Always throws Error(kToolFailed, exit 7) naming the
/// tool, with the board's command and note as the hint.
std::unique_ptr<FlashBackend> CreateBoardToolBackend(const BackendOptions& options);

}  // namespace tockctl::flasher
