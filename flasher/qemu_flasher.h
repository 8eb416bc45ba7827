// The `qemu` flash back-end: starts qemu-system-riscv32 for qemu_rv32_virt (command line after
// Tock's board Makefile), halted with its gdbstub on 127.0.0.1, UART on a TCP server socket, and
// loads the image through the gdb back-end so flashing is real.
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

/// How to start QEMU.
struct QemuLaunch {
  std::string binary = "qemu-system-riscv32";
  std::string machine = "virt";
  std::optional<std::string> epmp_property;  ///< "smepmp" or "x-epmp"; unset: not available.
  uint16_t gdb_port = 0;
  uint16_t uart_port = 0;
  std::optional<std::string> netdev;    ///< "user" or "tap": a VirtIO-net device (ParseQemuNetdev).
  std::vector<std::string> extra_args;  ///< Appended to the command line as given (--qemu-arg).
};

/// "user" or "tap" as given; throws Error(kUsage) naming both for anything else.
std::string ParseQemuNetdev(const std::string& name);

/// The argument vector: Tock's QEMU_BASE_CMDLINE (-machine, -semihosting, ePMP on, virtio-mmio
/// non-legacy, virtio-rng and virtio-keyboard), then -bios none, no display or monitor, the UART
/// on tcp:127.0.0.1:UART (server, no wait), the gdbstub on tcp:127.0.0.1:GDB, halted (-S); then, as
/// Tock's Makefile does for NETDEV=SLIRP or TAP, a VirtIO-net device (`-netdev user,id=n0,
/// net=192.168.1.0/24,dhcpstart=192.168.1.255` or `-netdev tap,id=n0,script=no,downscript=no`,
/// and `-device virtio-net-device,netdev=n0`), and last the extra arguments.
std::vector<std::string> QemuArgv(const QemuLaunch& launch);

/// Which ePMP CPU property `binary` knows: "smepmp" (QEMU 8+), "x-epmp" (QEMU 7), or nullopt,
/// found from `BINARY -machine virt -device rv32-riscv-cpu,help`.
std::optional<std::string> DetectEpmpProperty(ProcessRunner& runner, const std::string& binary);

/// Starts `argv` in a new session (setsid) with stdin from /dev/null and stdout/stderr to `log`,
/// so it outlives tockctl; returns the pid. Throws Error(kToolFailed) if it cannot start.
int SpawnDetached(const std::vector<std::string>& argv, const std::string& log);

/// Everything QemuFlasher needs.
struct QemuFlasherOptions {
  std::string board;
  std::string image;  ///< Shown in the state file and status.
  QemuLaunch launch;
  GdbFlasherOptions gdb;
  std::chrono::milliseconds start_timeout{10000};  ///< For QEMU's gdbstub to accept.
  /// Connect to the QEMU started earlier instead of starting one (--verify-only): a running,
  /// flashed QEMU must not be replaced by an empty one just to be compared.
  bool attach_only = false;
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
  template <typename Step>
  auto Guarded(const char* phase, Step step) -> decltype(step());

  QemuFlasherOptions options_;
  devices::QemuStateStore store_;
  ProcessRunner& runner_;
  std::shared_ptr<spdlog::logger> log_;
  Spawner spawn_;
  std::optional<devices::QemuInstance> instance_;
  std::unique_ptr<GdbRemoteFlasher> gdb_;
};

/// Back-end factory for "qemu": binary and machine from the method settings.
std::unique_ptr<FlashBackend> CreateQemuBackend(const BackendOptions& options);

/// The gdb endpoint ("127.0.0.1:PORT") of a live QEMU started by tockctl, if any.
std::optional<std::string> RunningQemuGdbEndpoint();

}  // namespace tockctl::flasher
