// The `tock-bootloader` flash method: Tock's serial bootloader over a serial port, with entry by
// a 1200-baud touch or a DTR/RTS pulse, 512-byte pages, blank-page shortcuts, a CRC check of
// every written run, and an optional faster baud rate. docs/flashing-serial-usb.md.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flasher/backend_registry.h"
#include "flasher/flash_backend.h"
#include "flasher/serial_link.h"
#include "flasher/tock_bootloader_protocol.h"

namespace tockctl::flasher {

/// How to get the board from its kernel into the bootloader.
enum class BootloaderEntry {
  kAuto,       ///< PING first; else 1200-baud touch; else DTR/RTS pulse.
  kBaudTouch,  ///< Open at 1200 baud (USB CDC boards reset into the bootloader), find the port
               ///< again.
  kDtrRts,     ///< DTR resets the chip while RTS holds the bootloader select line.
  kNone,       ///< The bootloader is already running.
};

/// Waits used while entering the bootloader (tests shorten them).
struct BootloaderEntryTimings {
  std::chrono::milliseconds touch_settle{100};     ///< After switching to 1200 baud.
  std::chrono::milliseconds refind_interval{500};  ///< Between looks for the re-enumerated port.
  int refind_attempts = 30;
  std::chrono::milliseconds reset_pulse{100};  ///< DTR held (chip in reset).
  std::chrono::milliseconds select_hold{500};  ///< RTS held after reset is released.
  int ping_attempts = 30;
};

/// Everything the back-end needs, from the board JSON method object and the command line.
struct TockBootloaderSettings {
  std::string port;           ///< Serial port path; empty: the only Tock-looking port at Connect.
  std::string serial_number;  ///< USB serial number of the port; looked up when empty.
  uint32_t baud = 115200;
  std::optional<uint32_t> fast_baud;  ///< Switch to this rate after connecting.
  BootloaderEntry entry = BootloaderEntry::kAuto;
  /// Leave all-zero pages unwritten like tockloader once did (off: they are written).
  bool skip_zero_pages = false;
  std::optional<uint32_t> start_address;  ///< Stored with SET_START_ADDRESS before leaving.
  /// Catalog board being flashed; Connect refuses a bootloader whose "board" attribute names
  /// another board unless `force`. Empty: no check.
  std::string board;
  bool force = false;
  BootloaderTimeouts timeouts;
  BootloaderEntryTimings timings;
};

/// Reads the method object `{"method":"tock-bootloader", "baud":..., ...}`; throws
/// Error(kInvalidInput) naming an unknown key or a bad value.
TockBootloaderSettings ParseTockBootloaderSettings(const nlohmann::ordered_json& method);

/// What to do with one 512-byte page.
enum class PageAction { kWrite, kErase, kSkip };
/// kErase for an all-0xFF page when ERASE_PAGE leaves 0xFF (`erase_reads_ff`), kSkip for an
/// all-zero page when `skip_zero_pages`, else kWrite.
PageAction ClassifyPage(std::span<const uint8_t> page, bool skip_zero_pages, bool erase_reads_ff);

/// The "board" attribute the Tock bootloader of catalog board `board` carries (its build.rs
/// names a few boards differently: wm1110dev's says "wm1110_dev", nano33ble_rev2 runs the
/// nano33ble bootloader).
std::string BootloaderBoardAttributeFor(const std::string& board);
/// Catalog boards whose bootloader carries `attribute`, the exact name first.
std::vector<std::string> BoardsWithBootloaderAttribute(const std::string& attribute,
                                                       const std::vector<std::string>& catalog);

class TockBootloaderBackend : public FlashBackend {
 public:
  /// `opener` opens ports (TermiosSerialLink::Open in production); `lister` finds the port again
  /// after a 1200-baud reset. Neither is used before Connect.
  TockBootloaderBackend(TockBootloaderSettings settings, SerialOpener opener,
                        std::shared_ptr<SerialPortLister> lister,
                        std::shared_ptr<spdlog::logger> log);
  ~TockBootloaderBackend() override;

  std::string name() const override { return "tock-bootloader"; }
  Capabilities capabilities() const override;
  void Connect(ProgressSink& progress) override;
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  void Write(const Segment& segment, ProgressSink& progress) override;
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  /// CRC_INTERNAL_FLASH over the segment, compared with its CRC-32.
  bool Holds(const Segment& segment) override;
  /// Stores the start address if configured, starts the kernel the way the bootloader allows
  /// (1.1.x: EXIT, then a DTR pulse like tockloader; 1.0.x and C: a DTR pulse only, as they have
  /// no EXIT) and closes the port. `entry` is not used: the bootloader jumps to its stored start.
  void Start(std::optional<uint64_t> entry) override;
  std::string StartReport() const override { return start_report_; }
  void Disconnect() override;
  /// Leaves the bootloader for the kernel, as Start does.
  std::optional<std::string> Restart() override;

  /// The bootloader's INFO after Connect.
  const BootloaderInfo& info() const { return info_; }
  /// The bootloader's attributes after Connect (key, printable value), in slot order.
  const std::vector<std::pair<std::string, std::string>>& attributes() const { return attributes_; }
  /// The value of attribute `key`, empty if absent.
  std::string attribute(const std::string& key) const;
  /// The line rate in use after Connect.
  uint32_t baud() const { return baud_; }

 private:
  TockBootloaderClient& client();
  void EnterBootloader(ProgressSink& progress);
  bool TouchAndReopen();
  void PulseDtrRts();
  void WaitForPong();
  void LearnSerialNumber();
  void ReadAttributes();
  void CheckBoard(ProgressSink& progress);
  void CheckStartAddressSupported();
  void CheckPagesFit(std::span<const uint8_t> pages, uint32_t first);
  bool PulseResetLine();
  std::string StartKernel();
  std::string GenerationName() const;
  std::vector<uint8_t> PagesFor(const Segment& segment, uint32_t first, uint32_t last);
  void CheckRun(uint32_t start, std::span<const uint8_t> data);
  std::vector<std::pair<uint64_t, uint64_t>> WrittenRuns(const Segment& segment) const;
  uint64_t FirstDifference(const Segment& segment, uint64_t start, uint64_t end);

  TockBootloaderSettings settings_;
  SerialOpener opener_;
  std::shared_ptr<SerialPortLister> lister_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<SerialLink> link_;
  std::unique_ptr<TockBootloaderClient> client_;
  BootloaderInfo info_;
  std::vector<std::pair<std::string, std::string>> attributes_;
  std::vector<std::pair<uint32_t, uint32_t>> skipped_;  ///< Zero pages left unwritten [start, end).
  std::string start_report_;
  uint32_t baud_ = 115200;
};

/// Registry factory: settings from the board's method object, --serial, --force, the board's name,
/// the sysfs port list.
std::unique_ptr<FlashBackend> CreateTockBootloaderBackend(const BackendOptions& options);

/// Connects to the Tock bootloader on `port` (empty: the only Tock-looking port), reads its
/// "board" attribute and leaves it running in the bootloader; throws like Connect, or
/// Error(kDeviceReported) when the bootloader carries no "board" attribute.
std::string ReadBootloaderBoardAttribute(const std::string& port,
                                         std::shared_ptr<spdlog::logger> log);

}  // namespace tockctl::flasher
