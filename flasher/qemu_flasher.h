// The `qemu` flash back-end: starts the board's QEMU machine (command line from the facts of its
// `qemu` method in the catalog, after Tock's board Makefiles), halted with its gdbstub on
// 127.0.0.1, UART on a TCP server socket, and writes the image through the gdb back-end so
// flashing is real. Several named instances may run at once (devices/qemu_instance.h).
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/qemu_instance.h"
#include "flasher/backend_registry.h"
#include "flasher/gdb_remote_flasher.h"

namespace tockctl {
class ProcessRunner;
}

namespace tockctl::flasher {

/// How the image gets into the machine.
enum class QemuLoad {
  kGdbstub,  ///< tockctl writes it through the gdbstub and starts at its entry (qemu_rv32_virt).
  /// QEMU's `-kernel IMAGE` loads it and the machine boots it from reset, as the board's Makefile
  /// runs it (hifive1, earlgrey-cw310, qemu_i486_q35); tockctl still writes and verifies it through
  /// the gdbstub, and starting means continuing from the reset vector.
  kKernel,
};

/// A board's QEMU machine: the facts of its `qemu` flash method in the catalog
/// (config/flash_methods.h lists the keys, docs/flashing.md explains them).
struct QemuMachine {
  std::string binary = "qemu-system-riscv32";
  std::string machine = "virt";
  std::optional<std::string> cpu;  ///< -cpu (qemu_i486_q35: 486).
  QemuLoad load = QemuLoad::kGdbstub;
  std::optional<std::string> bios;  ///< -bios; unset: "none" when loading through the gdbstub.
  bool semihosting = false;
  bool epmp = false;                 ///< Turn the RISC-V ePMP on (DetectEpmpProperty names it).
  std::vector<std::string> globals;  ///< -global values, in order.
  std::vector<std::string> devices;  ///< -device values, in order.
  std::optional<std::string> nic;    ///< The -device that --netdev attaches; unset: -net none.
};

/// The machine described by a board's `qemu` method object. Throws Error(kInvalidInput) naming
/// the key (under `pointer`) for a wrong value.
QemuMachine QemuMachineFromSettings(const nlohmann::ordered_json& method,
                                    const std::string& pointer = "");

/// How to start QEMU.
struct QemuLaunch {
  QemuMachine machine;
  std::string image;                         ///< The image file, for QemuLoad::kKernel.
  std::optional<std::string> epmp_property;  ///< "smepmp" or "x-epmp"; unset: not available.
  uint16_t gdb_port = 0;
  uint16_t uart_port = 0;
  std::optional<std::string> netdev;    ///< "user" or "tap": a VirtIO-net device (ParseQemuNetdev).
  std::vector<std::string> extra_args;  ///< Appended to the command line as given (--qemu-arg).
};

/// "user" or "tap" as given; throws Error(kUsage) naming both for anything else.
std::string ParseQemuNetdev(const std::string& name);

/// The argument vector: the binary, -machine, -cpu, -semihosting, the ePMP -global (when the
/// machine asks for it and the QEMU has a property), the machine's -global and -device values,
/// -bios; no display or monitor, the UART on tcp:127.0.0.1:UART (server, no wait), the gdbstub on
/// tcp:127.0.0.1:GDB, halted (-S); `-kernel IMAGE` for QemuLoad::kKernel; then, as Tock's Makefile
/// does for NETDEV=SLIRP or TAP, the network (`-netdev user,id=n0,net=192.168.1.0/24,
/// dhcpstart=192.168.1.255` or `-netdev tap,id=n0,script=no,downscript=no`, and `-device
/// NIC,netdev=n0`), or `-net none` for a machine without a NIC; and last the extra arguments.
/// Throws Error(kUsage) for a netdev on a machine without a NIC.
std::vector<std::string> QemuArgv(const QemuLaunch& launch);

/// Which ePMP CPU property `binary` knows: "smepmp" (QEMU 8+), "x-epmp" (QEMU 7), or nullopt,
/// found from `BINARY -machine virt -device rv32-riscv-cpu,help` (rv64-riscv-cpu for a
/// qemu-system-riscv64).
std::optional<std::string> DetectEpmpProperty(ProcessRunner& runner, const std::string& binary);

/// Starts `argv` in a new session (setsid) with stdin from /dev/null and stdout/stderr to `log`,
/// so it outlives tockctl; returns the pid. Throws Error(kToolFailed) if it cannot start.
int SpawnDetached(const std::vector<std::string>& argv, const std::string& log);

/// Everything QemuFlasher needs.
struct QemuFlasherOptions {
  std::string board;
  std::string name = devices::kDefaultQemuName;  ///< The instance (--name / --qemu-name).
  std::string image;                             ///< Shown in the state file and status.
  QemuLaunch launch;
  GdbFlasherOptions gdb;
  std::chrono::milliseconds start_timeout{10000};  ///< For QEMU's gdbstub to accept.
  /// Connect to the QEMU started earlier instead of starting one (--verify-only): a running,
  /// flashed QEMU must not be replaced by an empty one just to be compared.
  bool attach_only = false;
  /// The board's flash, [start, end) each (kernel flash, app flash): what a Restart keeps, as a
  /// real board keeps its flash across a power cycle.
  std::vector<std::pair<uint64_t, uint64_t>> flash_regions;
};

/// Starts (or restarts) QEMU in Connect and delegates everything else to a GdbRemoteFlasher.
/// QEMU keeps running after tockctl exits; `tockctl qemu stop` ends it.
class QemuFlasher : public FlashBackend {
 public:
  using Spawner = std::function<int(const std::vector<std::string>&, const std::string&)>;

  QemuFlasher(QemuFlasherOptions options, devices::QemuStateStore store, ProcessRunner& runner,
              std::shared_ptr<spdlog::logger> log, Spawner spawn = &SpawnDetached);

  std::string name() const override { return "qemu"; }
  Capabilities capabilities() const override;
  void Connect(ProgressSink& progress) override;
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  void Write(const Segment& segment, ProgressSink& progress) override;
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  void Start(std::optional<uint64_t> entry) override;
  void Disconnect() override;
  /// A power cycle: reads the board's flash regions, stops this QEMU, starts it again with the
  /// same command line (same ports), writes the flash back and lets it run from its reset vector,
  /// RAM cleared. (`monitor system_reset` is not enough: a Tock kernel restarted by it on QEMU
  /// 7.2, or by a jump to its entry, panics on the way up.)
  std::optional<std::string> Restart() override;
  /// {"qemu": status of the instance started (or compared with)}, as `tockctl qemu status --json`.
  nlohmann::ordered_json started_json() const override;

  /// The instance started by Connect.
  const std::optional<devices::QemuInstance>& instance() const { return instance_; }

 private:
  void StopPrevious(ProgressSink& progress);
  devices::QemuInstance RunningInstance() const;
  devices::QemuInstance Launch();
  std::unique_ptr<Link> ConnectToGdbstub(const devices::QemuInstance& instance);
  GdbRemoteFlasher& Gdb();
  void AttachGdb(ProgressSink& progress);
  void Relaunch();
  template <typename Step>
  auto Guarded(const char* phase, Step step) -> decltype(step());

  QemuFlasherOptions options_;
  devices::QemuStateStore store_;
  ProcessRunner& runner_;
  std::shared_ptr<spdlog::logger> log_;
  Spawner spawn_;
  ProgressSink* progress_ = nullptr;  ///< From Connect, for the gdbstub of a relaunched QEMU.
  std::optional<devices::QemuInstance> instance_;
  std::unique_ptr<GdbRemoteFlasher> gdb_;
};

/// Back-end factory for "qemu": the machine from the board's method settings, the instance from
/// options.qemu_name.
std::unique_ptr<FlashBackend> CreateQemuBackend(const BackendOptions& options);

/// The gdb endpoint ("127.0.0.1:PORT") of the live QEMU instance `name` started by tockctl, if
/// any.
std::optional<std::string> RunningQemuGdbEndpoint(
    const std::string& name = devices::kDefaultQemuName);

}  // namespace tockctl::flasher
