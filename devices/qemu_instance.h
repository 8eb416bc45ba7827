// The QEMU that `tockctl flash` leaves running: its state file, status and stopping. The flasher
// writes the state, the tracer and extcap read it to find the QEMU's UART.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "devices/tcp_connector.h"

namespace tockctl::devices {

/// A QEMU started by tockctl, as recorded in the state file.
struct QemuInstance {
  std::string name = "default";  ///< `--name`; "default" when none was given.
  int pid = 0;
  uint16_t gdb_port = 0;
  uint16_t uart_port = 0;
  int64_t started_at = 0;  ///< Unix seconds.
  std::string board;
  std::string image;     ///< Image flashed when it was started.
  std::string log_file;  ///< QEMU's own stdout/stderr.
  std::vector<std::string> argv;
};

/// The directory holding the state files: $TOCKCTL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/tockctl,
/// else /tmp/tockctl-$UID.
std::filesystem::path QemuStateDir();

/// The name of the instance started without `--name`.
inline constexpr const char* kDefaultQemuName = "default";

/// `name` if it is an instance name (1 to 32 letters, digits, '-', '_' or '.', not starting with
/// '.'); throws Error(kUsage) naming `option` and the rule otherwise.
std::string ParseQemuName(const std::string& name, const std::string& option = "--name");

/// Reads and writes the state file of one named instance: `dir`/qemu.json for "default" (as
/// before names existed), `dir`/qemu-NAME.json for the others.
class QemuStateStore {
 public:
  explicit QemuStateStore(std::filesystem::path dir, std::string name = kDefaultQemuName);

  /// The recorded instance, or nullopt when there is no state file. Throws Error(kInvalidInput)
  /// naming the file if it is not a state file tockctl wrote.
  std::optional<QemuInstance> Load() const;
  /// Writes the state atomically, creating the directory (mode 0700). Throws Error(kIo) if the
  /// directory belongs to someone else or cannot be written.
  void Save(const QemuInstance& instance) const;
  /// Removes the state file if present.
  void Remove() const;
  /// Creates the directory (0700, owned by this user) and returns it; throws Error(kIo).
  const std::filesystem::path& EnsureDir() const;

  std::filesystem::path file() const;
  /// Where QEMU's own output goes: qemu.log, or qemu-NAME.log.
  std::filesystem::path log_file() const;
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& name() const { return name_; }

 private:
  std::filesystem::path dir_;
  std::string name_;
};

/// The names of the instances with a state file in `dir`, "default" first, the others sorted.
std::vector<std::string> RecordedQemuNames(const std::filesystem::path& dir);

/// True if `pid` exists and has not exited (a zombie counts as exited; our own children are
/// reaped).
bool ProcessRunning(int pid);

/// True if `pid` is a live (not zombie) process whose command line names qemu-system.
bool QemuProcessAlive(int pid);

/// SIGTERM, up to `grace` for it to exit, then SIGKILL; returns once the process is gone (reaping
/// it if it is our child). Returns true if it had to be killed.
bool StopQemuProcess(int pid, std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

/// What `tockctl qemu status` reports.
struct QemuStatus {
  std::optional<QemuInstance> instance;  ///< Unset: nothing recorded.
  bool alive = false;
  int64_t uptime_seconds = 0;
  std::string state_file;
};

/// The recorded instance and whether it still runs (a dead pid means stale state).
QemuStatus ReadQemuStatus(const QemuStateStore& store, int64_t now_unix);

/// Stops the recorded QEMU if it runs and removes the state file (also when stale). Returns the
/// status before stopping.
QemuStatus StopRecordedQemu(const QemuStateStore& store, int64_t now_unix);

/// The UART endpoint (127.0.0.1:PORT) of the QEMU recorded in `store`, for `tockctl trace
/// --qemu` and extcap's tockctl-qemu. Throws Error(kTransport) naming the state file when none is
/// recorded or it has exited.
TcpEndpoint RecordedQemuUartEndpoint(const QemuStateStore& store);

/// Status as JSON: {"name", "running", "stale", "pid", "gdb", "gdb_port", "uart", "uart_port",
/// "uptime_seconds", "started_at", "board", "image", "log", "state_file"}.
nlohmann::ordered_json QemuStatusToJson(const QemuStatus& status);
/// Status as lines for people.
std::string RenderQemuStatus(const QemuStatus& status);

/// Current Unix time in seconds.
int64_t UnixNow();

}  // namespace tockctl::devices
