// Hardware facts of one Tock board: the "board" object of a board JSON file (docs/board-config.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/flash_methods.h"
#include "config/json_document.h"

namespace tockctl::config {

/// Memory protection unit family.
enum class ProtectionKind { kArmv6mMpu, kArmv7mMpu, kArmv8mMpu, kRiscvPmp, kRiscvEpmp, kX86Paging };

/// What the board's MPU/PMP can do for processes.
struct Protection {
  ProtectionKind kind = ProtectionKind::kArmv7mMpu;
  uint32_t regions = 0;           ///< Hardware regions/entries.
  uint32_t app_regions = 0;       ///< Regions one process may use in total.
  uint32_t process_reserved = 0;  ///< Of app_regions, used by the process's own flash and RAM.
  uint64_t min_region_size = 0;   ///< Bytes.
  bool power_of_two = false;      ///< Region sizes must be powers of two.
  bool size_aligned = false;      ///< Region base must be aligned to its size.
  uint32_t subregions = 0;        ///< ARMv7-M/ARMv6-M: 8; 0 otherwise.
  std::string source;             ///< Where the fact came from (optional).
};

/// [origin, origin + length).
struct MemoryRegion {
  std::string name;
  uint64_t origin = 0;
  uint64_t length = 0;
  uint64_t end() const { return origin + length; }
  bool Contains(uint64_t start, uint64_t size) const {
    return start >= origin && size <= length && start - origin <= length - size;
  }
};

/// Kernel flash, app flash, RAM and regions never to be written without --force.
struct MemoryMap {
  MemoryRegion kernel_flash;
  MemoryRegion app_flash;
  MemoryRegion ram;
  std::vector<MemoryRegion> reserved;
};

/// One way to flash the board; method-specific keys stay in `settings`.
struct FlashMethod {
  std::string method;  ///< One of KnownFlashMethods(): qemu, openocd, jlink, uf2, external, ...
  nlohmann::ordered_json settings;  ///< The whole method object as written.
};

/// Network hardware present on the board.
struct NetworkHardware {
  std::string kind;         ///< ethernet | ieee802154 | wifi | can | ble
  std::string name;         ///< e.g. eth0
  std::string device;       ///< e.g. VirtIO-net, nRF52840 radio
  std::string driver;       ///< Tock capsule, e.g. EthernetTap
  uint32_t driver_num = 0;  ///< Syscall driver number, e.g. 0x30007; 0 = kernel-only, no driver
  std::string note;         ///< Optional remark, e.g. when the interface is present.
  bool can_fd = false;      ///< kind "can": the controller sends and receives CAN FD frames.

  /// True if processes can reach this hardware through a syscall driver.
  bool HasSyscallDriver() const { return driver_num != 0; }
};

/// The "board" object.
struct HardwareBoard {
  std::string name;
  std::string description;
  std::string tock_path;  ///< Board directory inside a Tock checkout.
  std::string package;    ///< Cargo package, the ELF's name.
  std::string chip;
  std::string core;
  std::string arch;
  std::string target;  ///< Rust target triple.
  std::optional<int> tier;
  Protection protection;
  MemoryMap memory;
  uint32_t page_size = 512;
  std::string default_flash_method;
  std::vector<FlashMethod> flash_methods;
  nlohmann::ordered_json console;  ///< { kind, device, baud }
  nlohmann::ordered_json trace;    ///< { link, baud | vid_pid }
  std::vector<NetworkHardware> network_hardware;
  std::optional<bool> legacy_ipc;
  nlohmann::ordered_json source;  ///< Optional { layout, makefile }: where the facts came from.

  /// The flash method named `method`, or nullptr.
  const FlashMethod* FindFlashMethod(const std::string& method) const;
  /// True if the board has network hardware of `kind`.
  bool HasNetworkKind(const std::string& kind) const;
};

/// Name used in JSON for a protection kind ("armv7m-mpu", ...).
const char* ProtectionKindName(ProtectionKind kind);
/// The protection kind named `name`, or nullopt.
std::optional<ProtectionKind> ProtectionKindFromName(const std::string& name);

/// A non-fatal remark about a board file, e.g. an unknown key.
struct BoardWarning {
  std::string pointer;      ///< JSON pointer of the key or value.
  SourcePosition position;  ///< Where it is in the file.
  std::string message;
  std::string valid;  ///< What would be valid, e.g. the known keys (may be empty).
};

/// "FILE:LINE:COL: warning: /pointer: message; valid: ...".
std::string FormatBoardWarning(const std::string& file, const BoardWarning& warning);

/// A hardware fact that contradicts another (overlapping regions, impossible protection limits).
struct HardwareProblem {
  std::string pointer;  ///< JSON pointer relative to the "board" object, e.g. "/memory/ram".
  std::string message;
  std::string valid;  ///< What would be valid.
};

/// Reads the "board" object at `pointer` of `doc`. Unknown keys are appended to `warnings`.
/// Throws Error(kInvalidInput) with file, line, column and JSON pointer at the first missing,
/// mistyped or out-of-range value.
HardwareBoard ReadHardwareBoard(const JsonDocument& doc, const std::string& pointer,
                                std::vector<BoardWarning>& warnings);

/// Self-consistency of the hardware facts: regions non-empty and non-overlapping, within the
/// address space, default flash method listed once, method keys present, protection limits
/// consistent with the protection kind and arch. Returns every problem found (empty when sound).
std::vector<HardwareProblem> CheckHardwareBoard(const HardwareBoard& board);

/// ReadHardwareBoard, then CheckHardwareBoard; throws Error(kInvalidInput) at the position of
/// the first problem.
HardwareBoard ReadCheckedHardwareBoard(const JsonDocument& doc, const std::string& pointer,
                                       std::vector<BoardWarning>& warnings);

/// Writes the board the way catalog files hold it: key order of docs/boards.md, addresses and
/// sizes as "0x..." strings, optional members only when set.
void to_json(nlohmann::ordered_json& json, const HardwareBoard& board);

}  // namespace tockctl::config
