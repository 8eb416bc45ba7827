// USB DFU 1.1 (class 0xFE subclass 1) and ST's DfuSe extension (STM32 system bootloader):
// DNLOAD/GETSTATUS/CLRSTATUS/ABORT, the state machine with bwPollTimeout, wTransferSize from the
// functional descriptor, manifestation; DfuSe SET_ADDRESS (0x21), page erase and mass erase
// (0x41), data blocks at wValue >= 2, leave. Facts: docs/flashing-serial-usb.md#dfu.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "devices/usb_device.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_backend.h"
#include "flasher/picoboot.h"  // UsbHostFactory

namespace tockctl::flasher {

enum class DfuRequest : uint8_t {
  kDetach = 0,
  kDnload = 1,
  kUpload = 2,
  kGetStatus = 3,
  kClrStatus = 4,
  kGetState = 5,
  kAbort = 6,
};

enum class DfuState : uint8_t {
  kAppIdle = 0,
  kAppDetach = 1,
  kIdle = 2,
  kDnloadSync = 3,
  kDnBusy = 4,
  kDnloadIdle = 5,
  kManifestSync = 6,
  kManifest = 7,
  kManifestWaitReset = 8,
  kUploadIdle = 9,
  kError = 10,
};

/// GETSTATUS reply.
struct DfuStatus {
  uint8_t status = 0;
  uint32_t poll_timeout_ms = 0;
  uint8_t state = 0;
};
/// Decodes the 6-byte GETSTATUS reply; throws Error(kInvalidInput) if short.
DfuStatus DecodeDfuStatus(std::span<const uint8_t> bytes);
std::string DfuStateName(uint8_t state);    ///< "dfuDNBUSY"
std::string DfuStatusName(uint8_t status);  ///< "errADDRESS"
std::string DfuStatusMeaning(uint8_t status);

/// The DFU functional descriptor (type 0x21).
struct DfuFunctional {
  uint8_t attributes = 0;
  uint16_t detach_timeout_ms = 0;
  uint16_t transfer_size = 0;
  uint16_t dfu_version = 0x0110;  ///< 0x011a for DfuSe.
  bool can_upload() const { return attributes & 0x02; }
  bool manifestation_tolerant() const { return attributes & 0x04; }
  /// bitWillDetach (DFU 1.1): the device re-enumerates by itself after DFU_DETACH.
  bool will_detach() const { return attributes & 0x08; }
};
/// Finds the functional descriptor among class-specific descriptors; nullopt if absent.
std::optional<DfuFunctional> FindDfuFunctional(std::span<const uint8_t> extra);

/// One run of equal sectors in a DfuSe memory description.
struct DfuseSectorRun {
  uint32_t start = 0;
  uint32_t count = 0;
  uint32_t size = 0;
  bool readable = false, erasable = false, writable = false;
  uint64_t end() const { return start + uint64_t{count} * size; }
};

/// "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg" as data.
struct DfuseLayout {
  std::string name;
  std::vector<DfuseSectorRun> runs;
  /// [start, size) of the sector holding `address`, or nullopt.
  std::optional<std::pair<uint32_t, uint32_t>> SectorAt(uint64_t address) const;
};
/// Parses an alternate setting's name; throws Error(kInvalidInput) naming the bad part.
DfuseLayout ParseDfuseLayout(const std::string& text);

/// Talks DFU/DfuSe to one claimed interface. Failed requests and error statuses become Errors in
/// one place: Request() (a stall is followed by GETSTATUS and reported as the device's status,
/// Error(kDeviceReported); anything else Error(kTransport)) and CheckStatus().
class DfuClient {
 public:
  DfuClient(devices::UsbTransport& usb, uint8_t interface_number, DfuFunctional functional,
            std::string device_name, std::shared_ptr<spdlog::logger> log);

  DfuStatus GetStatus(const std::string& operation);
  uint8_t GetState(const std::string& operation);
  void ClearStatus(const std::string& operation);
  void Abort(const std::string& operation);
  /// Clears an error state and aborts to dfuIDLE.
  void EnsureIdle();
  /// DNLOAD of one block, then GETSTATUS (sleeping bwPollTimeout) until the device is idle.
  void Download(uint16_t block, std::span<const uint8_t> data, const std::string& operation);
  /// UPLOAD of one block.
  std::vector<uint8_t> Upload(uint16_t block, size_t length, const std::string& operation);
  /// Zero-length DNLOAD (block `block`) and GETSTATUS until the device manifests (or resets).
  void Manifest(uint16_t block, const std::string& operation);

  // DfuSe commands (DNLOAD with wValue 0).
  void SetAddress(uint32_t address);
  void ErasePage(uint32_t address);
  void MassErase();

  const DfuFunctional& functional() const { return functional_; }

 private:
  devices::UsbResult Request(bool in, DfuRequest request, uint16_t value, std::span<uint8_t> data,
                             const std::string& operation, bool device_may_leave = false);
  DfuStatus WaitWhileBusy(const std::string& operation);
  [[noreturn]] void DeviceError(const DfuStatus& status, const std::string& operation);

  devices::UsbTransport& usb_;
  uint8_t interface_;
  DfuFunctional functional_;
  std::string device_name_;
  std::shared_ptr<spdlog::logger> log_;
};

struct DfuSettings {
  uint16_t vid = 0x0483;
  uint16_t pid = 0xdf11;
  bool dfuse = true;
  uint8_t alt = 0;
  std::optional<uint32_t> address;  ///< Plain DFU: where the device puts the image.
  std::optional<devices::UsbSelector> probe;
};

/// Reads {"method":"dfu","vid_pid":"0483:df11","dfuse":true,"alt":0,"address":"0x08000000"};
/// `dfuse` defaults to true for 0483:df11 and false otherwise.
DfuSettings ParseDfuSettings(const nlohmann::ordered_json& method);

/// The `dfu` flash method. A device that offers only a DFU run-time interface is detached into
/// DFU mode first (flasher/dfu_detach.h); `clock` times the wait for it.
class DfuBackend : public FlashBackend {
 public:
  DfuBackend(DfuSettings settings, UsbHostFactory host_factory, std::shared_ptr<spdlog::logger> log,
             Clock& clock = SystemClock());
  ~DfuBackend() override;

  std::string name() const override { return "dfu"; }
  Capabilities capabilities() const override;
  void Connect(ProgressSink& progress) override;
  /// DfuSe: erases every sector the range touches (a sector larger than the range is erased
  /// whole, and a message says so). Plain DFU devices erase while downloading.
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  void Write(const Segment& segment, ProgressSink& progress) override;
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  /// DfuSe: leave (SET_ADDRESS to the start of flash, zero-length DNLOAD); plain DFU: manifest.
  void Start(std::optional<uint64_t> entry) override;
  void Disconnect() override;

 private:
  DfuClient& client();
  /// The device to flash: --usb, or the method's VID:PID (naming run-time devices when absent).
  devices::UsbDeviceInfo SelectDevice(const std::string& what);
  std::vector<uint8_t> ReadDfuse(uint32_t address, uint32_t length);

  DfuSettings settings_;
  UsbHostFactory host_factory_;
  std::shared_ptr<spdlog::logger> log_;
  Clock& clock_;
  std::unique_ptr<devices::UsbHost> host_;
  std::unique_ptr<devices::UsbTransport> usb_;
  std::unique_ptr<DfuClient> client_;
  DfuseLayout layout_;
  uint16_t next_block_ = 0;  ///< Plain DFU: the next block number.
  uint64_t next_address_ = 0;
};

/// Registry factory: settings from the board's method object, --usb, libusb at Connect.
std::unique_ptr<FlashBackend> CreateDfuBackend(const BackendOptions& options);

}  // namespace tockctl::flasher
