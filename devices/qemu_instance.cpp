#include "devices/qemu_instance.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "common/file_io.h"

namespace tockctl::devices {
namespace {

using Json = nlohmann::ordered_json;

// Process state letter from /proc/PID/stat ('R', 'S', 'Z', ...), or 0 if there is no such process.
char ProcState(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return 0;
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}

std::string CommandLine(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : text)
    if (c == '\0') c = ' ';
  return text;
}

bool Gone(int pid) {
  int status = 0;
  ::waitpid(pid, &status, WNOHANG);  // reaps it if it is our child; harmless otherwise
  char state = ProcState(pid);
  return state == 0 || state == 'Z' || state == 'X';
}

std::string Iso8601(int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

QemuInstance FromJson(const Json& j) {
  QemuInstance q;
  q.name = j.value("name", kDefaultQemuName);
  q.pid = j.at("pid").get<int>();
  q.gdb_port = j.at("gdb_port").get<uint16_t>();
  q.uart_port = j.at("uart_port").get<uint16_t>();
  q.started_at = j.at("started_at").get<int64_t>();
  q.board = j.value("board", "");
  q.image = j.value("image", "");
  q.log_file = j.value("log", "");
  q.argv = j.value("argv", std::vector<std::string>{});
  return q;
}

Json ToJson(const QemuInstance& q) {
  return {{"name", q.name},
          {"pid", q.pid},
          {"gdb_port", q.gdb_port},
          {"uart_port", q.uart_port},
          {"started_at", q.started_at},
          {"board", q.board},
          {"image", q.image},
          {"log", q.log_file},
          {"argv", q.argv}};
}

}  // namespace

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::filesystem::path QemuStateDir() {
  if (const char* dir = std::getenv("TOCKCTL_RUNTIME_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
    return std::filesystem::path(xdg) / "tockctl";
  return std::filesystem::path("/tmp") / ("tockctl-" + std::to_string(::getuid()));
}

std::string ParseQemuName(const std::string& name, const std::string& option) {
  constexpr size_t kMaxLength = 32;
  auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  };
  if (!name.empty() && name.size() <= kMaxLength && name[0] != '.' &&
      std::all_of(name.begin(), name.end(), allowed))
    return name;
  throw Error(ErrorCategory::kUsage, option + " `" + name + "` is not a QEMU instance name", {},
              "use 1 to 32 letters, digits, '-', '_' or '.' (not starting with '.')");
}

QemuStateStore::QemuStateStore(std::filesystem::path dir, std::string name)
    : dir_(std::move(dir)), name_(std::move(name)) {}

std::filesystem::path QemuStateStore::file() const {
  return dir_ / (name_ == kDefaultQemuName ? "qemu.json" : "qemu-" + name_ + ".json");
}

std::filesystem::path QemuStateStore::log_file() const {
  return dir_ / (name_ == kDefaultQemuName ? "qemu.log" : "qemu-" + name_ + ".log");
}

std::vector<std::string> RecordedQemuNames(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  bool has_default = false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file == "qemu.json") has_default = true;
    if (file.size() > 10 && file.rfind("qemu-", 0) == 0 && file.ends_with(".json"))
      names.push_back(file.substr(5, file.size() - 10));
  }
  std::sort(names.begin(), names.end());
  if (has_default) names.insert(names.begin(), kDefaultQemuName);
  return names;
}

const std::filesystem::path& QemuStateStore::EnsureDir() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  struct stat st {};
  ErrorContext ctx;
  ctx.file = dir_.string();
  if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(ErrorCategory::kIo, "cannot create the state directory", ctx,
                "set TOCKCTL_RUNTIME_DIR to a writable directory");
  if (st.st_uid != ::getuid())
    throw Error(ErrorCategory::kIo, "the state directory belongs to another user", ctx,
                "set TOCKCTL_RUNTIME_DIR to a directory of your own");
  ::chmod(dir_.c_str(), 0700);
  return dir_;
}

namespace {

// The state file's text, or nullopt when there is none. `tockctl flash` restarting QEMU removes
// the file and writes a new one (atomically) while others read it, so a file gone between the
// check and the read is looked at again; an error that stays (no permission) is thrown.
std::optional<std::string> ReadStateText(const std::filesystem::path& path) {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    try {
      return ReadFile(path);
    } catch (const Error&) {
      if (attempt == kAttempts) throw;
    }
  }
}

}  // namespace

std::optional<QemuInstance> QemuStateStore::Load() const {
  std::optional<std::string> text = ReadStateText(file());
  if (!text) return std::nullopt;
  try {
    return FromJson(Json::parse(*text));
  } catch (const nlohmann::json::exception& e) {
    ErrorContext ctx;
    ctx.file = file().string();
    throw Error(ErrorCategory::kInvalidInput,
                std::string("not a tockctl QEMU state file: ") + e.what(), ctx,
                "remove it, or run `tockctl qemu stop`");
  }
}

void QemuStateStore::Save(const QemuInstance& instance) const {
  EnsureDir();
  WriteFileAtomic(file(), ToJson(instance).dump(2) + "\n");
}

void QemuStateStore::Remove() const {
  std::error_code ec;
  std::filesystem::remove(file(), ec);
}

bool ProcessRunning(int pid) { return pid > 0 && !Gone(pid); }

bool QemuProcessAlive(int pid) {
  if (pid <= 0 || Gone(pid)) return false;
  return CommandLine(pid).find("qemu-system") != std::string::npos;
}

bool StopQemuProcess(int pid, std::chrono::milliseconds grace) {
  if (pid <= 0 || Gone(pid)) return false;
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Gone(pid)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 500 && !Gone(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return true;
}

QemuStatus ReadQemuStatus(const QemuStateStore& store, int64_t now_unix) {
  QemuStatus s;
  s.state_file = store.file().string();
  s.instance = store.Load();
  if (s.instance) {
    s.alive = QemuProcessAlive(s.instance->pid);
    s.uptime_seconds = s.alive ? std::max<int64_t>(0, now_unix - s.instance->started_at) : 0;
  }
  return s;
}

QemuStatus StopRecordedQemu(const QemuStateStore& store, int64_t now_unix) {
  QemuStatus s = ReadQemuStatus(store, now_unix);
  if (s.alive) StopQemuProcess(s.instance->pid);
  store.Remove();
  return s;
}

nlohmann::ordered_json QemuStatusToJson(const QemuStatus& s) {
  Json j;
  if (s.instance) j["name"] = s.instance->name;
  j["running"] = s.alive;
  j["stale"] = s.instance.has_value() && !s.alive;
  if (s.instance) {
    const auto& q = *s.instance;
    j["pid"] = q.pid;
    j["gdb"] = "127.0.0.1:" + std::to_string(q.gdb_port);
    j["gdb_port"] = q.gdb_port;
    j["uart"] = "127.0.0.1:" + std::to_string(q.uart_port);
    j["uart_port"] = q.uart_port;
    j["uptime_seconds"] = s.uptime_seconds;
    j["started_at"] = Iso8601(q.started_at);
    j["board"] = q.board;
    j["image"] = q.image;
    j["log"] = q.log_file;
  }
  j["state_file"] = s.state_file;
  return j;
}

TcpEndpoint RecordedQemuUartEndpoint(const QemuStateStore& store) {
  const bool named = store.name() != kDefaultQemuName;
  const std::string hint =
      named ? "start it with: tockctl qemu start IMAGE --name " + store.name()
            : std::string("start it with: tockctl flash IMAGE --board qemu_rv32_virt");
  QemuStatus s = ReadQemuStatus(store, UnixNow());
  if (!s.instance)
    throw Error(ErrorCategory::kTransport,
                std::string(named ? "no QEMU named " + store.name() : "no QEMU") +
                    " started by tockctl is running (no " + s.state_file + ")",
                {}, hint);
  if (!s.alive)
    throw Error(ErrorCategory::kTransport,
                "the QEMU that tockctl started (pid " + std::to_string(s.instance->pid) + " in " +
                    s.state_file + ") is no longer running",
                {}, hint);
  return TcpEndpoint{"127.0.0.1", s.instance->uart_port};
}

std::string RenderQemuStatus(const QemuStatus& s) {
  if (!s.instance) return "No QEMU started by tockctl (state file " + s.state_file + ")\n";
  const auto& q = *s.instance;
  const std::string title = q.name == kDefaultQemuName ? "QEMU" : "QEMU " + q.name;
  std::string out;
  if (s.alive) {
    out = title + " is running: pid " + std::to_string(q.pid) + ", up " +
          std::to_string(s.uptime_seconds) + " s (since " + Iso8601(q.started_at) + ")\n";
  } else {
    out = title + " pid " + std::to_string(q.pid) + " is gone; the state file is stale (" +
          s.state_file + ")\n";
  }
  out += "  board  " + q.board + "\n";
  out += "  image  " + q.image + "\n";
  out += "  gdb    127.0.0.1:" + std::to_string(q.gdb_port) + "\n";
  out += "  uart   127.0.0.1:" + std::to_string(q.uart_port) +
         "  (tockctl trace --tcp 127.0.0.1:" + std::to_string(q.uart_port) + ")\n";
  out += "  log    " + q.log_file + "\n";
  return out;
}

}  // namespace tockctl::devices
