#include "flasher/external_tools.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdlib>
#include <sstream>

#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "flasher/device_context.h"
#include "flasher/ihex_image.h"
#include "flasher/method_settings.h"

namespace tockctl::flasher {
namespace {

// Longest a tool may run for one step (a full-chip program over a slow probe fits well within).
constexpr std::chrono::seconds kToolTimeout{300};
constexpr size_t kStderrLinesShown = 3;

std::optional<std::string> SerialOf(const std::optional<std::string>& probe, const char* method) {
  if (!probe) return std::nullopt;
  auto parts = probe->find(':');
  auto second = parts == std::string::npos ? std::string::npos : probe->find(':', parts + 1);
  if (second == std::string::npos || second + 1 >= probe->size())
    throw Error(ErrorCategory::kUsage,
                std::string("--usb for the ") + method + " method must name a serial number",
                ErrorContext{}, "write it as VID:PID:SERIAL (see `tockctl devices`)");
  return probe->substr(second + 1);
}

std::vector<std::string> OpenOcdPrefix(const ExternalToolSettings& s) {
  std::vector<std::string> argv{"openocd"};
  for (const auto& script : s.openocd_scripts) {
    argv.emplace_back("-f");
    argv.push_back(script);
  }
  if (auto serial = SerialOf(s.probe, "openocd")) {
    argv.emplace_back("-c");
    argv.push_back("adapter serial " + *serial);
  }
  return argv;
}

ToolRun JLinkRun(const ExternalToolSettings& s, const std::string& script_path,
                 std::string script) {
  ToolRun run;
  run.argv = {"JLinkExe",
              "-device",
              s.jlink_device,
              "-if",
              s.jlink_interface,
              "-speed",
              std::to_string(s.jlink_speed_khz),
              "-AutoConnect",
              "1"};
  if (auto serial = SerialOf(s.probe, "jlink")) {
    run.argv.emplace_back("-SelectEmuBySN");
    run.argv.push_back(*serial);
  }
  run.argv.emplace_back("-CommanderScript");
  run.argv.push_back(script_path);
  run.script_path = script_path;
  run.script = std::move(script);
  return run;
}

std::vector<std::string> ProbeRsArgs(const ExternalToolSettings& s, const char* command) {
  std::vector<std::string> argv{"probe-rs", command, "--chip", s.chip};
  if (s.probe) {
    argv.emplace_back("--probe");
    argv.push_back(*s.probe);
  }
  return argv;
}

void AddNrfSerial(const ExternalToolSettings& s, std::vector<std::string>& argv) {
  if (auto serial = SerialOf(s.probe, "nrfutil")) {
    argv.emplace_back("--serial-number");
    argv.push_back(*serial);
  }
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl = 0; start < text.size(); start = nl + 1) {
    nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Lines of JLinkExe output that mean failure although it exits with 0.
std::optional<std::string> JLinkFailure(const std::string& out) {
  static const char* const kMarkers[] = {
      "Cannot connect to target",      "Can not connect to target",
      "Error while programming flash", "USB...FAILED",
      "Could not open J-Link",         "Unknown device"};
  for (const auto& line : Lines(out))
    for (const char* m : kMarkers)
      if (line.find(m) != std::string::npos) return line;
  return std::nullopt;
}

std::string InstallHintFor(ExternalTool tool) {
  switch (tool) {
    case ExternalTool::kOpenOcd:
      return "";
    case ExternalTool::kJLink:
      return "install SEGGER J-Link Software and Documentation Pack";
    case ExternalTool::kProbeRs:
      return "install probe-rs (the probe-rs-tools package of its project)";
    case ExternalTool::kNrfutil:
      return "install nRF Util from Nordic Semiconductor, then run: nrfutil install device";
  }
  return "";
}

}  // namespace

const char* ExternalToolProgram(ExternalTool tool) {
  switch (tool) {
    case ExternalTool::kOpenOcd:
      return "openocd";
    case ExternalTool::kJLink:
      return "JLinkExe";
    case ExternalTool::kProbeRs:
      return "probe-rs";
    case ExternalTool::kNrfutil:
      return "nrfutil";
  }
  return "";
}

const char* ExternalToolMethod(ExternalTool tool) {
  switch (tool) {
    case ExternalTool::kOpenOcd:
      return "openocd";
    case ExternalTool::kJLink:
      return "jlink";
    case ExternalTool::kProbeRs:
      return "probe-rs";
    case ExternalTool::kNrfutil:
      return "nrfutil";
  }
  return "";
}

namespace {

void ReadOpenOcd(const nlohmann::ordered_json& json, const std::optional<std::string>& tock_dir,
                 ExternalToolSettings& s) {
  MethodSettingsReader r(json, "openocd");
  s.tool = ExternalTool::kOpenOcd;
  if (auto configs = r.StringList("config")) s.openocd_scripts = *configs;
  if (auto tock_config = r.String("tock_config")) {
    if (!tock_dir)
      throw Error(ErrorCategory::kUsage,
                  "the board's openocd method uses " + *tock_config + " from a Tock checkout",
                  ErrorContext{},
                  "set TOCK_DIR to your tock directory, e.g. export TOCK_DIR=~/tock");
    s.openocd_scripts.push_back((std::filesystem::path(*tock_dir) / *tock_config).string());
  }
  if (s.openocd_scripts.empty())
    throw Error(ErrorCategory::kInvalidInput,
                "the openocd flash method needs \"config\" or \"tock_config\"", PointerContext(""));
}

void ReadJLink(const nlohmann::ordered_json& json, ExternalToolSettings& s) {
  MethodSettingsReader r(json, "jlink");
  s.tool = ExternalTool::kJLink;
  auto device = r.String("device");
  if (!device)
    throw Error(ErrorCategory::kInvalidInput, "the jlink flash method needs \"device\"",
                PointerContext("/device"), "use the J-Link device name, e.g. nRF52840_xxAA");
  s.jlink_device = *device;
  s.jlink_interface = r.String("interface").value_or("swd");
  s.jlink_speed_khz = static_cast<uint32_t>(r.Integer("speed_khz").value_or(1200));
}

void ReadProbeRs(const nlohmann::ordered_json& json, ExternalToolSettings& s) {
  MethodSettingsReader r(json, "probe-rs");
  s.tool = ExternalTool::kProbeRs;
  auto chip = r.String("chip");
  if (!chip)
    throw Error(ErrorCategory::kInvalidInput, "the probe-rs flash method needs \"chip\"",
                PointerContext("/chip"), "list chip names with: probe-rs chip list");
  s.chip = *chip;
  s.allow_erase_all = r.Boolean("allow_erase_all").value_or(false);
}

}  // namespace

ExternalToolSettings ParseExternalToolSettings(const std::string& method,
                                               const nlohmann::ordered_json& json,
                                               const std::optional<std::string>& tock_dir,
                                               const std::optional<std::string>& probe) {
  ExternalToolSettings s;
  s.probe = probe;
  if (method == "openocd") {
    ReadOpenOcd(json, tock_dir, s);
  } else if (method == "jlink") {
    ReadJLink(json, s);
  } else if (method == "probe-rs") {
    ReadProbeRs(json, s);
  } else if (method == "nrfutil") {
    MethodSettingsReader r(json, method);
    s.tool = ExternalTool::kNrfutil;
  } else {
    throw Error(ErrorCategory::kInternal, "not an external tool method: " + method);
  }
  if (s.tool != ExternalTool::kProbeRs) SerialOf(probe, method.c_str());  // checked up front
  return s;
}

ToolRun BuildWriteRun(const ExternalToolSettings& s, const std::string& file, uint64_t address,
                      const std::string& script_path) {
  ToolRun run;
  switch (s.tool) {
    case ExternalTool::kOpenOcd:
      run.argv = OpenOcdPrefix(s);
      run.argv.emplace_back("-c");
      run.argv.push_back(fmt::format("program {{{}}} {} exit", file, HexWord(address)));
      return run;
    case ExternalTool::kJLink:
      return JLinkRun(s, script_path,
                      fmt::format("r\nh\nloadbin {}, {}\nexit\n", file, HexWord(address)));
    case ExternalTool::kProbeRs:
      run.argv = ProbeRsArgs(s, "download");
      run.argv.insert(run.argv.end(),
                      {"--binary-format", "bin", "--base-address", fmt::format("0x{:x}", address)});
      if (s.allow_erase_all) run.argv.emplace_back("--allow-erase-all");
      run.argv.push_back(file);
      return run;
    case ExternalTool::kNrfutil:
      run.argv = {"nrfutil",
                  "device",
                  "program",
                  "--firmware",
                  file,
                  "--options",
                  "chip_erase_mode=ERASE_RANGES_TOUCHED_BY_FIRMWARE"};
      AddNrfSerial(s, run.argv);
      return run;
  }
  return run;
}

ToolRun BuildVerifyRun(const ExternalToolSettings& s, const std::string& file, uint64_t address,
                       const std::string& script_path) {
  ToolRun run;
  switch (s.tool) {
    case ExternalTool::kOpenOcd:
      run.argv = OpenOcdPrefix(s);
      run.argv.insert(
          run.argv.end(),
          {"-c", "init", "-c", "reset init", "-c",
           fmt::format("verify_image {{{}}} {} bin", file, HexWord(address)), "-c", "shutdown"});
      return run;
    case ExternalTool::kJLink:
      return JLinkRun(s, script_path,
                      fmt::format("r\nh\nverifybin {}, {}\nexit\n", file, HexWord(address)));
    case ExternalTool::kProbeRs:
      run.argv = ProbeRsArgs(s, "verify");
      run.argv.insert(run.argv.end(), {"--binary-format", "bin", "--base-address",
                                       fmt::format("0x{:x}", address), file});
      return run;
    case ExternalTool::kNrfutil:
      run.argv = {"nrfutil", "device", "fw-verify", "--firmware", file};
      AddNrfSerial(s, run.argv);
      return run;
  }
  return run;
}

ToolRun BuildStartRun(const ExternalToolSettings& s, const std::string& script_path) {
  ToolRun run;
  switch (s.tool) {
    case ExternalTool::kOpenOcd:
      run.argv = OpenOcdPrefix(s);
      run.argv.insert(run.argv.end(), {"-c", "init", "-c", "reset run", "-c", "shutdown"});
      return run;
    case ExternalTool::kJLink:
      return JLinkRun(s, script_path, "r\ng\nexit\n");
    case ExternalTool::kProbeRs:
      run.argv = ProbeRsArgs(s, "reset");
      return run;
    case ExternalTool::kNrfutil:
      run.argv = {"nrfutil", "device", "reset"};
      AddNrfSerial(s, run.argv);
      return run;
  }
  return run;
}

ToolRun BuildReadRun(const ExternalToolSettings& s, const std::string& file, uint64_t address,
                     uint64_t length, const std::string& script_path) {
  ToolRun run;
  switch (s.tool) {
    case ExternalTool::kOpenOcd:
      run.argv = OpenOcdPrefix(s);
      run.argv.insert(run.argv.end(),
                      {"-c", "init", "-c", "reset init", "-c",
                       fmt::format("dump_image {{{}}} {} {}", file, HexWord(address), length), "-c",
                       "shutdown"});
      return run;
    case ExternalTool::kJLink:
      return JLinkRun(
          s, script_path,
          fmt::format("r\nh\nsavebin {}, {}, {:x}\nexit\n", file, HexWord(address), length));
    case ExternalTool::kProbeRs:
      run.argv = ProbeRsArgs(s, "read");
      run.argv.insert(run.argv.end(),
                      {"b8", fmt::format("0x{:x}", address), std::to_string(length)});
      return run;
    case ExternalTool::kNrfutil:
      break;
  }
  throw Error(ErrorCategory::kInternal, "the nrfutil method cannot read");
}

std::vector<uint8_t> ReadRunBytes(const ExternalToolSettings& s, const std::string& file,
                                  const std::string& stdout_text, uint64_t length) {
  std::vector<uint8_t> bytes;
  if (s.tool == ExternalTool::kProbeRs) {
    std::istringstream in(stdout_text);
    for (std::string word; in >> word;) {
      if (word.size() != 2 || HexDigitValue(word[0]) < 0 || HexDigitValue(word[1]) < 0)
        throw Error(ErrorCategory::kToolFailed,
                    "probe-rs read printed \"" + word + "\" where a hex byte belongs",
                    ErrorContext{}, "run with -v to see its whole output");
      bytes.push_back(static_cast<uint8_t>(HexDigitValue(word[0]) * 16 + HexDigitValue(word[1])));
    }
  } else {
    bytes = ReadBinaryFile(file);
  }
  if (bytes.size() != length)
    throw Error(ErrorCategory::kToolFailed,
                fmt::format("{} returned {} bytes where {} were asked for",
                            ExternalToolProgram(s.tool), bytes.size(), length),
                ErrorContext{}, "run with -v to see its whole output");
  return bytes;
}

std::optional<std::string> FindVerifyMismatch(ExternalTool tool, const ProcessResult& result) {
  for (const auto& line : Lines(result.stdout_text + "\n" + result.stderr_text)) {
    std::string l = Lower(line);
    bool verify_failed =
        l.find("verif") != std::string::npos &&
        (l.find("fail") != std::string::npos || l.find("mismatch") != std::string::npos);
    bool openocd_diff = tool == ExternalTool::kOpenOcd && l.rfind("diff ", 0) == 0 &&
                        l.find("address 0x") != std::string::npos;
    if (verify_failed || openocd_diff || l.find("does not match") != std::string::npos ||
        l.find("checksum mismatch") != std::string::npos)
      return line;
  }
  return std::nullopt;
}

ScratchDirectory::ScratchDirectory() {
  const char* tmp = ::getenv("TMPDIR");
  std::string base =
      tmp && *tmp && std::string(tmp).find_first_of(" ,") == std::string::npos ? tmp : "/tmp";
  std::string pattern = base + "/tockctl-flash-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw Error(ErrorCategory::kIo, "cannot create a temporary directory in " + base,
                ErrorContext{}, "check that " + base + " exists and is writable");
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ExternalToolBackend::ExternalToolBackend(ExternalToolSettings settings, ProcessRunner& runner,
                                         std::shared_ptr<spdlog::logger> log, ProgramFinder find)
    : settings_(std::move(settings)),
      runner_(runner),
      log_(std::move(log)),
      find_(std::move(find)) {}

ExternalToolBackend::~ExternalToolBackend() = default;

Capabilities ExternalToolBackend::capabilities() const {
  Capabilities c;
  c.write = c.verify = c.reset = true;
  c.read = settings_.tool != ExternalTool::kNrfutil;  // dump_image, savebin, probe-rs read
  return c;
}

void ExternalToolBackend::Connect(ProgressSink& progress) {
  const char* program = ExternalToolProgram(settings_.tool);
  auto path = find_(program);
  if (!path) {
    if (settings_.tool == ExternalTool::kOpenOcd)
      throw Error(ErrorCategory::kToolFailed, MissingProgramHint(program, "openocd"));
    throw Error(ErrorCategory::kToolFailed, std::string("`") + program + "` was not found on PATH",
                ErrorContext{}, InstallHintFor(settings_.tool));
  }
  scratch_ = std::make_unique<ScratchDirectory>();
  files_ = 0;
  progress.Message(fmt::format("using {}", *path));
}

void ExternalToolBackend::Erase(uint64_t, uint64_t, ProgressSink&) {
  throw Error(ErrorCategory::kInternal,
              std::string(ExternalToolMethod(settings_.tool)) + " erases while it programs");
}

std::string ExternalToolBackend::SegmentFile(const Segment& segment) {
  if (!scratch_) throw Error(ErrorCategory::kInternal, "external tool used before Connect");
  bool hex = settings_.tool == ExternalTool::kNrfutil;
  auto path = scratch_->path() / fmt::format("segment-{}-{}.{}", files_++, HexWord(segment.address),
                                             hex ? "hex" : "bin");
  if (hex) {
    Image image;
    image.segments.push_back(segment);
    WriteFileAtomic(path, WriteIntelHex(image));
  } else {
    WriteFileAtomic(path, std::span<const uint8_t>(segment.data));
  }
  return path.string();
}

std::string ExternalToolBackend::NextScriptPath(const char* step) {
  if (!scratch_) throw Error(ErrorCategory::kInternal, "external tool used before Connect");
  return (scratch_->path() / fmt::format("{}-{}.jlink", step, files_++)).string();
}

ProcessResult ExternalToolBackend::Run(const ToolRun& run, const std::string& operation,
                                       bool failure_is_result) {
  if (!run.script_path.empty()) WriteFileAtomic(run.script_path, run.script);
  ProcessSpec spec;
  spec.argv = run.argv;
  spec.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kToolTimeout);
  log_->debug("running: {}", fmt::join(run.argv, " "));
  ProcessResult result = runner_.Run(spec);
  for (const auto& line : Lines(result.stdout_text)) log_->debug("{}: {}", run.argv[0], line);
  for (const auto& line : Lines(result.stderr_text)) log_->debug("{}: {}", run.argv[0], line);
  if (result.timed_out)
    throw Error(ErrorCategory::kToolFailed,
                fmt::format("{} did not finish within {} s", run.argv[0], kToolTimeout.count()),
                DeviceContext("", operation),
                "check the probe connection; run with -v to see the tool's output");
  if (!failure_is_result) CheckExit(run, result, operation);
  return result;
}

void ExternalToolBackend::CheckExit(const ToolRun& run, const ProcessResult& result,
                                    const std::string& operation) {
  std::optional<std::string> jlink =
      settings_.tool == ExternalTool::kJLink ? JLinkFailure(result.stdout_text) : std::nullopt;
  if (result.exit_code == 0 && !jlink) return;
  auto lines = Lines(result.stderr_text.empty() ? result.stdout_text : result.stderr_text);
  if (jlink) lines = {*jlink};
  size_t from = lines.size() > kStderrLinesShown ? lines.size() - kStderrLinesShown : 0;
  std::string tail =
      lines.empty() ? std::string("no output")
                    : fmt::format("{}", fmt::join(lines.begin() + static_cast<std::ptrdiff_t>(from),
                                                  lines.end(), " | "));
  std::string hint = "run with -v to see its whole output";
  if (settings_.tool == ExternalTool::kNrfutil && Lower(tail).find("install") != std::string::npos)
    hint = "run: nrfutil install device";
  throw Error(ErrorCategory::kToolFailed,
              fmt::format("{} failed with exit status {}: {}", run.argv[0], result.exit_code, tail),
              DeviceContext("", operation), hint);
}

void ExternalToolBackend::Write(const Segment& segment, ProgressSink& progress) {
  std::string file = SegmentFile(segment);
  std::string script = settings_.tool == ExternalTool::kJLink ? NextScriptPath("write") : "";
  Run(BuildWriteRun(settings_, file, segment.address, script),
      fmt::format("write {} at {}", segment.name, HexWord(segment.address)), false);
  progress.Advance(segment.data.size());
}

VerifyResult ExternalToolBackend::Verify(const Segment& segment, ProgressSink& progress) {
  std::string file = SegmentFile(segment);
  std::string script = settings_.tool == ExternalTool::kJLink ? NextScriptPath("verify") : "";
  std::string op = fmt::format("verify {} at {}", segment.name, HexWord(segment.address));
  ToolRun run = BuildVerifyRun(settings_, file, segment.address, script);
  ProcessResult result = Run(run, op, /*failure_is_result=*/true);
  VerifyResult verify;
  auto mismatch = FindVerifyMismatch(settings_.tool, result);
  if (mismatch) {
    verify.match = false;
    verify.first_mismatch = segment.address;
    verify.detail = *mismatch;
  } else {
    CheckExit(run, result, op);
    verify.detail = std::string("verified by ") + ExternalToolProgram(settings_.tool);
  }
  progress.Advance(segment.data.size());
  return verify;
}

std::vector<uint8_t> ExternalToolBackend::Read(uint64_t address, uint64_t length) {
  if (settings_.tool == ExternalTool::kNrfutil)
    throw Error(ErrorCategory::kUsage, "the nrfutil method cannot read memory back into tockctl",
                ErrorContext{},
                "use --method jlink, openocd or probe-rs, or gdb with the probe's GDB server");
  if (!scratch_) throw Error(ErrorCategory::kInternal, "external tool used before Connect");
  const std::string file =
      (scratch_->path() / fmt::format("read-{}-{}.bin", files_++, HexWord(address))).string();
  const std::string script = settings_.tool == ExternalTool::kJLink ? NextScriptPath("read") : "";
  const ProcessResult result =
      Run(BuildReadRun(settings_, file, address, length, script),
          fmt::format("read {} bytes at {}", length, HexWord(address)), false);
  return ReadRunBytes(settings_, file, result.stdout_text, length);
}

void ExternalToolBackend::Start(std::optional<uint64_t> entry) {
  if (entry) log_->debug("{}: resetting; the entry point is not used", name());
  std::string script = settings_.tool == ExternalTool::kJLink ? NextScriptPath("start") : "";
  Run(BuildStartRun(settings_, script), "reset", false);
  Disconnect();
}

void ExternalToolBackend::Disconnect() { scratch_.reset(); }

std::optional<std::string> ExternalToolBackend::Restart() {
  Start(std::nullopt);
  return std::string("reset by ") + ExternalToolProgram(settings_.tool);
}

std::unique_ptr<FlashBackend> CreateExternalToolBackend(const BackendOptions& options) {
  const char* tock_dir = ::getenv("TOCK_DIR");
  ExternalToolSettings s = ParseExternalToolSettings(
      options.method,
      options.method_settings ? options.method_settings->settings
                              : nlohmann::ordered_json::object(),
      tock_dir && *tock_dir ? std::optional<std::string>(tock_dir) : std::nullopt, options.probe);
  return std::make_unique<ExternalToolBackend>(std::move(s), *options.runner, options.log);
}

std::unique_ptr<FlashBackend> CreateBoardToolBackend(const BackendOptions& options) {
  nlohmann::ordered_json none = nlohmann::ordered_json::object();
  MethodSettingsReader r(options.method_settings ? options.method_settings->settings : none,
                         "external");
  std::string tool = r.String("tool").value_or("a tool of its own");
  std::string hint = "flash it with " + tool + " yourself";
  if (auto command = r.String("command")) hint = "run it yourself: " + *command;
  if (auto note = r.String("note")) hint += " (" + *note + ")";
  throw Error(ErrorCategory::kToolFailed,
              options.board->name + " is flashed with " + tool + ", which tockctl does not run",
              ErrorContext{}, hint);
}

}  // namespace tockctl::flasher
