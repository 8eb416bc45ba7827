// PICOBOOT: the USB interface of the RP2040 and RP2350 boot ROMs in BOOTSEL mode (vendor class
// 0xFF, bulk OUT then bulk IN). 32-byte command packets, a data phase, a zero-length ACK; on an
// error the device stalls and CMD_STATUS says why. Facts: docs/flashing-serial-usb.md#picoboot.
#pragma once

#include <spdlog/logger.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/usb_device.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_backend.h"

namespace tockctl::flasher {

inline constexpr uint32_t kPicobootMagic = 0x431fd10b;
inline constexpr uint16_t kRaspberryPiVid = 0x2e8a;
inline constexpr uint16_t kRp2040BootselPid = 0x0003;
inline constexpr uint16_t kRp2350BootselPid = 0x000f;
inline constexpr uint32_t kPicobootPageSize = 256;     ///< WRITE granularity in flash.
inline constexpr uint32_t kPicobootSectorSize = 4096;  ///< FLASH_ERASE granularity.
inline constexpr uint32_t kRpFlashBase = 0x10000000;
/// Control requests to the PICOBOOT interface.
inline constexpr uint8_t kPicobootIfReset = 0x41;
inline constexpr uint8_t kPicobootIfCmdStatus = 0x42;

enum class PicobootCommand : uint8_t {
  kExclusiveAccess = 0x01,
  kReboot = 0x02,
  kFlashErase = 0x03,
  kRead = 0x84,  ///< Bit 7: data flows IN.
  kWrite = 0x05,
  kExitXip = 0x06,
  kEnterCmdXip = 0x07,
  kExec = 0x08,
  kVectorizeFlash = 0x09,
  kReboot2 = 0x0a,  ///< RP2350 only.
};

/// EXCLUSIVE_ACCESS argument.
enum class PicobootExclusive : uint8_t {
  kNotExclusive = 0,
  kExclusive = 1,
  kExclusiveAndEject = 2
};

/// The 32-byte little-endian command packet.
std::array<uint8_t, 32> EncodePicobootCommand(uint32_t token, PicobootCommand command,
                                              std::span<const uint8_t> args,
                                              uint32_t transfer_length);

/// The 16-byte CMD_STATUS reply.
struct PicobootStatus {
  uint32_t token = 0;
  uint32_t code = 0;
  uint8_t command = 0;
  bool in_progress = false;
};
/// Decodes CMD_STATUS (bounds-checked); throws Error(kInvalidInput) if short.
PicobootStatus DecodePicobootStatus(std::span<const uint8_t> bytes);
/// "INVALID_ADDRESS", or the number for a code not in the table.
std::string PicobootStatusName(uint32_t code);
/// Plain words for a status code.
std::string PicobootStatusMeaning(uint32_t code);
/// "WRITE", "FLASH_ERASE", ...
std::string PicobootCommandName(uint8_t command);

/// Speaks PICOBOOT on an opened device. Every failed transfer is turned into an Error in Call():
/// a stall becomes the device's CMD_STATUS (Error(kDeviceReported)), everything else
/// Error(kTransport).
class PicobootClient {
 public:
  /// Finds the vendor interface with a bulk OUT and a bulk IN endpoint, claims it and resets it;
  /// throws Error(kTransport) if the device has none or refuses.
  PicobootClient(devices::UsbTransport& usb, std::string device_name,
                 std::shared_ptr<spdlog::logger> log);

  void ExclusiveAccess(PicobootExclusive mode);
  void ExitXip();
  /// ENTER_CMD_XIP: makes flash readable at 0x10000000 (serial 03h reads through XIP).
  void EnterCmdXip();
  /// Erases [address, address+length); both multiples of 4 KiB.
  void FlashErase(uint32_t address, uint32_t length);
  void Write(uint32_t address, std::span<const uint8_t> data);
  /// READ; a flash address is preceded by ENTER_CMD_XIP when BOOTSEL mode, EXIT_XIP or a flash
  /// erase or write left XIP off (the datasheets: flash reads go through XIP, which the boot ROM's
  /// flash functions leave in serial command mode).
  std::vector<uint8_t> Read(uint32_t address, uint32_t length);
  void Reboot(uint32_t pc, uint32_t sp, uint32_t delay_ms);
  void Reboot2(uint32_t flags, uint32_t delay_ms, uint32_t param0, uint32_t param1);

  uint8_t interface_number() const { return interface_; }

 private:
  void Call(PicobootCommand command, std::span<const uint8_t> args,
            std::span<const uint8_t> data_out, std::span<uint8_t> data_in,
            const std::string& operation);
  [[noreturn]] void Fail(const devices::UsbResult& result, const std::string& operation);
  void CheckTransport(const devices::UsbResult& result, const std::string& operation);

  devices::UsbTransport& usb_;
  std::string device_name_;
  std::shared_ptr<spdlog::logger> log_;
  uint8_t interface_ = 0;
  uint8_t ep_out_ = 0;
  uint8_t ep_in_ = 0;
  uint32_t token_ = 1;
  bool xip_readable_ = false;  ///< ENTER_CMD_XIP since the last flash erase/write or EXIT_XIP.
};

/// Which chip family the board has.
enum class RpFamily { kAny, kRp2040, kRp2350 };

struct PicobootSettings {
  RpFamily family = RpFamily::kAny;
  std::optional<devices::UsbSelector> probe;  ///< --usb; otherwise the only BOOTSEL device.
};

/// Reads {"method":"picoboot","family":"rp2040"|"rp2350"}; throws Error(kInvalidInput).
PicobootSettings ParsePicobootSettings(const nlohmann::ordered_json& method);

/// Makes the USB host when the back-end connects (libusb in production).
using UsbHostFactory = std::function<std::unique_ptr<devices::UsbHost>()>;

/// The `picoboot` flash method.
class PicobootBackend : public FlashBackend {
 public:
  PicobootBackend(PicobootSettings settings, UsbHostFactory host_factory,
                  std::shared_ptr<spdlog::logger> log);
  ~PicobootBackend() override;

  std::string name() const override { return "picoboot"; }
  Capabilities capabilities() const override;
  void Connect(ProgressSink& progress) override;
  /// Erases whole 4 KiB sectors; refuses a range that does not start and end on one.
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  /// Writes 256-byte pages (bytes around the segment within a page are written as 0xFF, which
  /// leaves NOR flash unchanged).
  void Write(const Segment& segment, ProgressSink& progress) override;
  /// Reads back and compares.
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  /// Reboots into the flashed image (REBOOT on RP2040, REBOOT2 on RP2350); `entry` is not used.
  void Start(std::optional<uint64_t> entry) override;
  void Disconnect() override;

 private:
  PicobootClient& client();
  bool is_rp2350() const;

  PicobootSettings settings_;
  UsbHostFactory host_factory_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<devices::UsbHost> host_;
  std::unique_ptr<devices::UsbTransport> usb_;
  std::unique_ptr<PicobootClient> client_;
};

/// Registry factory: family from the board's method object, --usb, libusb at Connect.
std::unique_ptr<FlashBackend> CreatePicobootBackend(const BackendOptions& options);

}  // namespace tockctl::flasher
