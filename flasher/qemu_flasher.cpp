#include "flasher/qemu_flasher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

#include "common/error.h"
#include "common/process.h"
#include "flasher/method_settings.h"
#include "flasher/progress.h"

extern char** environ;

namespace tockctl::flasher {

using devices::ProcessRunning;
using devices::QemuInstance;
using devices::QemuStatus;
using devices::ReadQemuStatus;
using devices::StopQemuProcess;
using devices::UnixNow;

namespace {

std::string LastLines(const std::string& path, size_t count) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::string out;
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

// How our child `pid` ended, if it has ("exit status 1", "killed by signal 9 (Killed)"); reaps it.
// nullopt while it runs or when it is not our child.
std::optional<std::string> ChildExit(int pid) {
  int status = 0;
  if (pid <= 0 || ::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  return "stopped";
}

// Why QEMU ended: its exit status when known ("it is gone" otherwise) and its last log lines.
std::string QemuExitReason(const std::optional<std::string>& status, const std::string& log_file) {
  const std::string words = LastLines(log_file, 3);
  return status.value_or("it is gone") +
         (words.empty() ? ", with nothing in its log" : ": " + words);
}

// Hands the connection that proved QEMU is up to the gdb back-end.
class SharedLink : public Link {
 public:
  explicit SharedLink(std::shared_ptr<Link> inner) : inner_(std::move(inner)) {}
  void Write(std::span<const uint8_t> d) override { inner_->Write(d); }
  size_t Read(std::span<uint8_t> b, std::chrono::milliseconds t) override {
    return inner_->Read(b, t);
  }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::shared_ptr<Link> inner_;
};

// " --name NAME" for a named instance, "" for the default one: completes a command shown to users.
std::string NameOption(const std::string& name) {
  return name == devices::kDefaultQemuName ? "" : " --name " + name;
}

bool IsElfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' &&
         magic[3] == 'F';
}

// Refuses, before any QEMU is stopped or started, a raw image where QEMU's -kernel needs an ELF.
void CheckLaunchable(const QemuFlasherOptions& q, const std::string& board) {
  if (q.launch.machine.load == QemuLoad::kKernel && !IsElfFile(q.image))
    throw Error(ErrorCategory::kUsage,
                "board " + board + " boots its kernel with QEMU's -kernel, which needs an ELF file",
                ErrorContext{q.image, {}, {}, {}, {}, {}, {}},
                "flash the kernel's .elf instead of a raw or hex image");
}

}  // namespace

QemuMachine QemuMachineFromSettings(const nlohmann::ordered_json& method,
                                    const std::string& pointer) {
  MethodSettingsReader r(method, "qemu", pointer);
  QemuMachine m;
  m.binary = r.String("binary").value_or(m.binary);
  m.machine = r.String("machine").value_or(m.machine);
  m.cpu = r.String("cpu");
  m.load = r.String("load") == "kernel" ? QemuLoad::kKernel : QemuLoad::kGdbstub;
  m.bios = r.String("bios");
  m.semihosting = r.Boolean("semihosting").value_or(false);
  m.epmp = r.Boolean("epmp").value_or(false);
  m.globals = r.StringList("globals").value_or(std::vector<std::string>{});
  m.devices = r.StringList("devices").value_or(std::vector<std::string>{});
  m.nic = r.String("nic");
  return m;
}

namespace {

void Append(std::vector<std::string>& argv, std::initializer_list<std::string> args) {
  argv.insert(argv.end(), args);
}

// -machine through -bios: what the board's Makefile gives QEMU.
std::vector<std::string> MachineArgs(const QemuLaunch& l) {
  const QemuMachine& m = l.machine;
  std::vector<std::string> argv = {m.binary, "-machine", m.machine};
  if (m.cpu) Append(argv, {"-cpu", *m.cpu});
  if (m.semihosting) argv.emplace_back("-semihosting");
  if (m.epmp && l.epmp_property)
    Append(argv, {"-global", "driver=riscv-cpu,property=" + *l.epmp_property + ",value=true"});
  for (const auto& g : m.globals) Append(argv, {"-global", g});
  for (const auto& d : m.devices) Append(argv, {"-device", d});
  std::optional<std::string> bios = m.bios;
  if (!bios && m.load == QemuLoad::kGdbstub) bios = "none";  // nothing may occupy the image's place
  if (bios) Append(argv, {"-bios", *bios});
  return argv;
}

// Tock's NETDEV=SLIRP and NETDEV=TAP, on the board's NIC; `-net none` for a machine without one.
std::vector<std::string> NetworkArgs(const QemuLaunch& l) {
  if (!l.machine.nic) {
    if (l.netdev)
      throw Error(ErrorCategory::kUsage,
                  "--netdev: QEMU's " + l.machine.machine + " machine has no network card here",
                  ErrorContext{}, "leave --netdev out, or use a board whose qemu method has a nic");
    return {"-net", "none"};
  }
  if (!l.netdev) return {};
  std::string backend = "tap,id=n0,script=no,downscript=no";
  if (*l.netdev == "user") backend = "user,id=n0,net=192.168.1.0/24,dhcpstart=192.168.1.255";
  if (l.netdev->rfind("listen:", 0) == 0 || l.netdev->rfind("connect:", 0) == 0) {
    const size_t colon = l.netdev->find(':');
    backend =
        "socket,id=n0," + l.netdev->substr(0, colon) + "=127.0.0.1:" + l.netdev->substr(colon + 1);
  }
  return {"-netdev", backend, "-device", *l.machine.nic + ",netdev=n0"};
}

}  // namespace

std::vector<std::string> QemuArgv(const QemuLaunch& l) {
  std::vector<std::string> argv = MachineArgs(l);
  Append(argv, {"-display", "none", "-monitor", "none", "-serial",
                "tcp:127.0.0.1:" + std::to_string(l.uart_port) + ",server=on,wait=off", "-gdb",
                "tcp:127.0.0.1:" + std::to_string(l.gdb_port), "-S"});
  if (l.machine.load == QemuLoad::kKernel) Append(argv, {"-kernel", l.image});
  std::vector<std::string> network = NetworkArgs(l);
  argv.insert(argv.end(), network.begin(), network.end());
  argv.insert(argv.end(), l.extra_args.begin(), l.extra_args.end());
  return argv;
}

namespace {

// The port of "listen:PORT" / "connect:PORT" (1 to 65535), or nullopt.
std::optional<std::string> SocketLinkPort(const std::string& name) {
  size_t colon = name.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string kind = name.substr(0, colon);
  const std::string port = name.substr(colon + 1);
  if (kind != "listen" && kind != "connect") return std::nullopt;
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  const unsigned long value = std::stoul(port);
  if (value == 0 || value > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::string ParseQemuNetdev(const std::string& name) {
  if (name == "user" || name == "tap" || SocketLinkPort(name)) return name;
  throw Error(ErrorCategory::kUsage, "--netdev `" + name + "` is not a QEMU network back-end",
              ErrorContext{},
              "use user (QEMU's NAT, no privileges), tap (needs a tap device), or listen:PORT and "
              "connect:PORT (one Ethernet link between two QEMUs over 127.0.0.1:PORT)");
}

std::optional<std::string> DetectEpmpProperty(ProcessRunner& runner, const std::string& binary) {
  ProcessSpec spec;
  const bool rv64 = binary.ends_with("riscv64");
  spec.argv = {binary, "-machine", "virt", "-device",
               rv64 ? "rv64-riscv-cpu,help" : "rv32-riscv-cpu,help"};
  spec.timeout = std::chrono::seconds(10);
  ProcessResult r = runner.Run(spec);
  std::string text = r.stdout_text + r.stderr_text;
  if (text.find(" smepmp=") != std::string::npos) return "smepmp";
  if (text.find(" x-epmp=") != std::string::npos) return "x-epmp";
  return std::nullopt;
}

int SpawnDetached(const std::vector<std::string>& argv, const std::string& log) {
  auto path = FindProgram(argv.at(0));
  if (!path)
    throw Error(
        ErrorCategory::kToolFailed,
        MissingProgramHint(argv[0], argv[0].ends_with("qemu-system-i386") ? "qemu-system-x86"
                                                                          : "qemu-system-misc"));
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (in < 0 || out < 0) {
    if (in >= 0) ::close(in);
    if (out >= 0) ::close(out);
    throw Error(ErrorCategory::kIo, "cannot open " + log + ": " + std::strerror(errno));
  }
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  cargv.reserve(args.size());
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execve(path->c_str(), cargv.data(), environ);
    _exit(127);
  }
  int err = errno;
  ::close(in);
  ::close(out);
  if (pid < 0)
    throw Error(ErrorCategory::kToolFailed, std::string("cannot fork: ") + std::strerror(err));
  return pid;
}

QemuFlasher::QemuFlasher(QemuFlasherOptions options, devices::QemuStateStore store,
                         ProcessRunner& runner, std::shared_ptr<spdlog::logger> log, Spawner spawn)
    : options_(std::move(options)),
      store_(std::move(store)),
      runner_(runner),
      log_(std::move(log)),
      spawn_(std::move(spawn)) {}

Capabilities QemuFlasher::capabilities() const {
  Capabilities c;
  c.write = c.verify = c.read = c.start = true;
  return c;
}

void QemuFlasher::StopPrevious(ProgressSink& progress) {
  devices::QemuStatus previous = devices::ReadQemuStatus(store_, devices::UnixNow());
  if (previous.alive) {
    progress.Message(
        "Stopping the " +
        std::string(store_.name() == devices::kDefaultQemuName ? "QEMU" : "QEMU " + store_.name()) +
        " started earlier (pid " + std::to_string(previous.instance->pid) + ", image " +
        previous.instance->image + ") to replace it");
    devices::StopQemuProcess(previous.instance->pid);
  }
  store_.Remove();
}

devices::QemuInstance QemuFlasher::Launch() {
  QemuLaunch launch = options_.launch;
  if (launch.machine.epmp) {
    launch.epmp_property = DetectEpmpProperty(runner_, launch.machine.binary);
    if (launch.epmp_property != "smepmp")
      log_->info("{} has no smepmp CPU property; {}", launch.machine.binary,
                 launch.epmp_property ? "using " + *launch.epmp_property + " instead"
                                      : std::string("starting without ePMP"));
  }
  launch.gdb_port = PickFreeLocalPort();
  do {
    launch.uart_port = PickFreeLocalPort();
  } while (launch.uart_port == launch.gdb_port);
  devices::QemuInstance q;
  q.name = store_.name();
  q.argv = QemuArgv(launch);
  q.gdb_port = launch.gdb_port;
  q.uart_port = launch.uart_port;
  q.board = options_.board;
  q.image = options_.image;
  store_.EnsureDir();
  q.log_file = store_.log_file().string();
  std::string command;
  for (const auto& a : q.argv) command += (command.empty() ? "" : " ") + a;
  log_->info("starting {}", command);
  q.pid = spawn_(q.argv, q.log_file);
  q.started_at = devices::UnixNow();
  store_.Save(q);
  log_->info("started QEMU pid {}: gdb 127.0.0.1:{}, UART 127.0.0.1:{}", q.pid, q.gdb_port,
             q.uart_port);
  return q;
}

// Retries until QEMU's gdbstub accepts; fails with QEMU's own words if QEMU exits first.
std::unique_ptr<Link> QemuFlasher::ConnectToGdbstub(const devices::QemuInstance& q) {
  std::string endpoint = "127.0.0.1:" + std::to_string(q.gdb_port);
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  for (;;) {
    if (auto link = TryConnectTcp(endpoint, std::chrono::milliseconds(500))) return link;
    std::optional<std::string> ended = ChildExit(q.pid);
    if (ended || !devices::ProcessRunning(q.pid)) {
      const std::string reason = QemuExitReason(ended, q.log_file);
      devices::StopQemuProcess(q.pid, std::chrono::milliseconds(500));
      store_.Remove();
      throw Error(ErrorCategory::kToolFailed, "QEMU exited while starting (" + reason + ")",
                  ErrorContext{q.log_file, {}, {}, {}, {}, {}, {}},
                  "run with -v to see QEMU's command line, and run that by hand to see more");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      devices::StopQemuProcess(q.pid);
      store_.Remove();
      throw Error(ErrorCategory::kTransport,
                  "QEMU's gdbstub did not accept connections within " +
                      std::to_string(options_.start_timeout.count()) + " ms",
                  ErrorContext{{}, {}, {}, {}, {}, endpoint, "connect"});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// --verify-only and `tockctl info` read what the running QEMU holds; without one there is nothing.
QemuInstance QemuFlasher::RunningInstance() const {
  QemuStatus status = ReadQemuStatus(store_, UnixNow());
  if (!status.alive)
    throw Error(
        ErrorCategory::kUsage,
        std::string(store_.name() == devices::kDefaultQemuName ? "no QEMU"
                                                               : "no QEMU named " + store_.name()) +
            " started by tockctl is running to attach to",
        {}, "flash the image first (tockctl flash IMAGE --board " + options_.board + ")");
  return *status.instance;
}

void QemuFlasher::Connect(ProgressSink& progress) {
  if (options_.attach_only) {
    instance_ = RunningInstance();
  } else {
    CheckLaunchable(options_, options_.board);
    StopPrevious(progress);
    instance_ = Launch();
  }
  AttachGdb(progress);
  const auto& q = *instance_;
  if (options_.attach_only) {
    progress.Message("Using the QEMU started earlier (pid " + std::to_string(q.pid) + ", image " +
                     q.image + ")");
    return;
  }
  progress.Message("Started QEMU (pid " + std::to_string(q.pid) + "): gdb 127.0.0.1:" +
                   std::to_string(q.gdb_port) + ", UART 127.0.0.1:" + std::to_string(q.uart_port) +
                   " (tockctl trace --tcp 127.0.0.1:" + std::to_string(q.uart_port) +
                   "); stop it with `tockctl qemu stop" + NameOption(store_.name()) + "`");
}

void QemuFlasher::AttachGdb(ProgressSink& progress) {
  progress_ = &progress;
  std::shared_ptr<Link> link = ConnectToGdbstub(*instance_);
  gdb_ = std::make_unique<GdbRemoteFlasher>([link] { return std::make_unique<SharedLink>(link); },
                                            options_.gdb, log_);
  gdb_->Connect(progress);
}

// The same command line again (halted, same ports), recorded as the instance.
void QemuFlasher::Relaunch() {
  QemuInstance q = *instance_;
  Gdb().Disconnect();
  gdb_.reset();
  devices::StopQemuProcess(q.pid);
  log_->info("restarting QEMU: {} arguments, gdb 127.0.0.1:{}", q.argv.size(), q.gdb_port);
  q.pid = spawn_(q.argv, q.log_file);
  q.started_at = devices::UnixNow();
  store_.Save(q);
  instance_ = q;
}

GdbRemoteFlasher& QemuFlasher::Gdb() {
  if (!gdb_) throw Error(ErrorCategory::kInternal, "qemu back-end used before Connect");
  return *gdb_;
}

// A link failure while QEMU is gone is QEMU's death, not the network's: say so.
template <typename Step>
auto QemuFlasher::Guarded(const char* phase, Step step) -> decltype(step()) {
  try {
    return step();
  } catch (const Error& e) {
    if (e.category() != ErrorCategory::kTransport || !instance_) throw;
    const QemuInstance& q = *instance_;
    const std::optional<std::string> ended = ChildExit(q.pid);
    if (!ended && ProcessRunning(q.pid)) throw;
    ErrorContext where;
    where.file = q.log_file;
    throw Error(ErrorCategory::kTransport,
                "QEMU (pid " + std::to_string(q.pid) + ") exited during " + phase + " (" +
                    QemuExitReason(ended, q.log_file) + ")",
                where, "`tockctl qemu status` shows what tockctl knows about it");
  }
}

void QemuFlasher::Erase(uint64_t address, uint64_t length, ProgressSink& progress) {
  Guarded("erase", [&] { Gdb().Erase(address, length, progress); });
}
void QemuFlasher::Write(const Segment& segment, ProgressSink& progress) {
  Guarded("write", [&] { Gdb().Write(segment, progress); });
}
VerifyResult QemuFlasher::Verify(const Segment& segment, ProgressSink& progress) {
  return Guarded("verify", [&] { return Gdb().Verify(segment, progress); });
}
std::vector<uint8_t> QemuFlasher::Read(uint64_t address, uint64_t length) {
  return Guarded("read", [&] { return Gdb().Read(address, length); });
}
// A -kernel machine boots from its reset vector as it does under the board's Makefile.
void QemuFlasher::Start(std::optional<uint64_t> entry) {
  if (options_.launch.machine.load == QemuLoad::kKernel) entry.reset();
  Guarded("start", [&] { Gdb().Start(entry); });
}
std::optional<std::string> QemuFlasher::Restart() {
  std::vector<Segment> flash;
  Guarded("restart", [&] {
    for (const auto& [start, end] : options_.flash_regions) {
      Segment s{start, Gdb().Read(start, end - start), "flash kept over the restart"};
      // A new QEMU's memory reads 0: what ends in zeros need not be written back.
      while (!s.data.empty() && s.data.back() == 0) s.data.pop_back();
      if (!s.data.empty()) flash.push_back(std::move(s));
    }
  });
  const int old_pid = instance_->pid;
  Relaunch();
  Guarded("restart", [&] {
    AttachGdb(*progress_);
    NullProgress quiet;
    for (const Segment& s : flash) Gdb().Write(s, quiet);
    Gdb().Start(std::nullopt);  // from the reset vector, as at power-on
  });
  return "restarted QEMU (pid " + std::to_string(old_pid) + " stopped, pid " +
         std::to_string(instance_->pid) + " started with the same flash: a power cycle)";
}

void QemuFlasher::Disconnect() {
  if (gdb_) gdb_->Disconnect();
}

nlohmann::ordered_json QemuFlasher::started_json() const {
  if (!instance_) return nullptr;
  QemuStatus status = ReadQemuStatus(store_, UnixNow());
  return {{"qemu", QemuStatusToJson(status)}};
}

std::unique_ptr<FlashBackend> CreateQemuBackend(const BackendOptions& options) {
  QemuFlasherOptions q;
  q.board = options.board->name;
  q.name = devices::ParseQemuName(options.qemu_name, "--qemu-name");
  if (options.method_settings)
    q.launch.machine = QemuMachineFromSettings(options.method_settings->settings);
  q.gdb.name = "qemu";
  q.gdb.layout = RegisterLayoutFor(options.board->arch);
  q.image = options.image;
  std::error_code ec;  // `tockctl info` has no image; an empty path stays empty
  q.launch.image =
      options.image.empty() ? "" : std::filesystem::absolute(options.image, ec).string();
  q.attach_only = options.verify_only || options.attach;
  q.launch.netdev = options.qemu_netdev;
  q.launch.extra_args = options.qemu_args;
  for (const config::MemoryRegion* r :
       {&options.board->memory.kernel_flash, &options.board->memory.app_flash})
    if (r->length != 0) q.flash_regions.emplace_back(r->origin, r->end());
  QemuArgv(q.launch);  // a --netdev the machine cannot take is a usage error up front
  devices::QemuStateStore store(devices::QemuStateDir(), q.name);
  return std::make_unique<QemuFlasher>(std::move(q), std::move(store), *options.runner,
                                       options.log);
}

std::optional<std::string> RunningQemuGdbEndpoint(const std::string& name) {
  devices::QemuStateStore store(devices::QemuStateDir(), name);
  std::optional<devices::QemuInstance> q = store.Load();
  if (!q || !devices::QemuProcessAlive(q->pid)) return std::nullopt;
  return "127.0.0.1:" + std::to_string(q->gdb_port);
}

}  // namespace tockctl::flasher
