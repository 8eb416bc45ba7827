// The interface every flashing back-end implements (gdb, qemu, tock-bootloader, picoboot, dfu,
// openocd, jlink, probe-rs, nrfutil), and the progress reporting they share.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "flasher/image.h"

namespace tockctl::flasher {

/// What a back-end can do; the plan refuses steps a back-end lacks.
struct Capabilities {
  bool erase = false;
  bool write = false;
  bool verify = false;  ///< Device-side CRC or read-back.
  bool read = false;
  bool reset = false;
  bool start = false;  ///< Can set the entry point and run.
  /// The smallest block Write rewrites on its own, keeping the bytes around it, when that is
  /// smaller than the board's flash page (the serial bootloader's 512-byte pages); 0 otherwise.
  uint32_t write_unit = 0;
};

/// Phases shown to the user.
enum class Phase { kConnect, kErase, kWrite, kVerify, kReset };

/// Receives progress; the CLI renders bars (terminal), plain lines, or JSON events.
/// The flash runner (flasher/flash_runner.h) calls Begin/End once per phase with the phase total;
/// back-ends only call Advance (bytes done so far within the current Erase/Write/Verify call; the
/// runner adds the bytes of earlier calls) and Message.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Begin(Phase phase, uint64_t total_bytes) = 0;
  virtual void Advance(uint64_t bytes_done_in_phase) = 0;  ///< Cumulative within the phase.
  virtual void End(Phase phase) = 0;
  virtual void Message(const std::string& text) = 0;  ///< Informational line.
};

/// Outcome of a verify step.
struct VerifyResult {
  bool match = true;
  uint64_t first_mismatch = 0;  ///< Address of the first differing byte (or region) when !match.
  std::string detail;           ///< "CRC 0x1234abcd, expected 0x...".
};

/// A file written instead of the device (a uf2 image with no UF2 drive to copy it to).
struct WrittenFile {
  std::string path;
  std::string next_step;  ///< What the user does with it ("copy it to the RPI-RP2 drive ...").
};

/// One way to talk to a board's flash. Transport failures throw Error(kTransport); a device that
/// answers with an error throws Error(kDeviceReported); the conversion happens in each back-end's
/// one protocol wrapper. Back-ends are created by name through flasher/backend_registry.h; creating
/// one has no side effects (the plan asks for capabilities() before anything is touched).
class FlashBackend {
 public:
  virtual ~FlashBackend() = default;
  virtual std::string name() const = 0;
  virtual Capabilities capabilities() const = 0;
  virtual void Connect(ProgressSink& progress) = 0;
  /// Erases [address, address+length) (page-aligned by the plan).
  virtual void Erase(uint64_t address, uint64_t length, ProgressSink& progress) = 0;
  virtual void Write(const Segment& segment, ProgressSink& progress) = 0;
  virtual VerifyResult Verify(const Segment& segment, ProgressSink& progress) = 0;
  virtual std::vector<uint8_t> Read(uint64_t address, uint64_t length) = 0;
  /// Whether the device holds exactly `segment`, found as cheaply as the back-end can (the serial
  /// bootloader: one CRC command instead of reading the bytes back); no progress, no detail.
  virtual bool Holds(const Segment& segment) {
    return Read(segment.address, segment.data.size()) == segment.data;
  }
  /// Starts the image at `entry` (or resets when unset) and lets go of the device.
  virtual void Start(std::optional<uint64_t> entry) = 0;
  /// Leaves the device as it is and closes the connection.
  virtual void Disconnect() = 0;
  /// Restarts what the device holds (its kernel, which then reads its app list again) and lets
  /// go of it; returns what it did in words ("EXIT sent"), or nullopt when
  /// this back-end cannot restart the device, which it then leaves running as it was.
  virtual std::optional<std::string> Restart() {
    Disconnect();
    return std::nullopt;
  }
  /// What the last Start did, in words for the summary ("EXIT sent and DTR pulsed"), when the
  /// generic "started at ADDRESS" / "reset" / "resumed" would not be true; empty otherwise.
  virtual std::string StartReport() const { return {}; }
  /// After the run: the file written in place of the device, if that is what happened.
  virtual std::optional<WrittenFile> written_file() const { return std::nullopt; }
  /// After the run: what it left running that programs need to reach, as fields for the --json
  /// summary (the qemu method: {"qemu": {"pid", "gdb_port", "uart_port", ...}}); null if nothing.
  virtual nlohmann::ordered_json started_json() const { return nullptr; }
};

}  // namespace tockctl::flasher
