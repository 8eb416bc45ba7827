// External tool back-ends: exact argument vectors per catalog board through a recording
// ProcessRunner, and a real run of a fake tool script on PATH.
#include "flasher/external_tools.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <stdlib.h>

#include <deque>
#include <regex>

#include "common/error.h"
#include "common/file_io.h"
#include "config/board_catalog.h"
#include "tests/flasher/test_helpers.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Capture;
using testing::QuietLog;

class NullProgress : public ProgressSink {
 public:
  void Begin(Phase, uint64_t) override {}
  void Advance(uint64_t) override {}
  void End(Phase) override {}
  void Message(const std::string&) override {}
};

std::string Normalize(const std::string& s) {
  static const std::regex scratch("[^ {]*tockctl-flash-[A-Za-z0-9]{6}");
  return std::regex_replace(s, scratch, "$TMP");
}

/// Records argument vectors (scratch paths as $TMP), the JLink scripts and the files handed over.
class RecordingRunner : public ProcessRunner {
 public:
  ProcessResult Run(const ProcessSpec& spec) override {
    std::vector<std::string> argv;
    for (const auto& a : spec.argv) {
      argv.push_back(Normalize(a));
      if (a.size() > 6 && a.ends_with(".jlink")) {
        std::string script = ReadFile(a);
        std::smatch m;
        if (std::regex_search(script, m, std::regex("loadbin ([^,]+),")))
          files.push_back(ReadFile(m[1].str()));
        scripts.push_back(Normalize(script));
      }
      if (a.ends_with(".bin") || a.ends_with(".hex")) files.push_back(ReadFile(a));
    }
    argvs.push_back(argv);
    if (results.empty()) return ProcessResult{0, false, "", ""};
    ProcessResult r = results.front();
    results.pop_front();
    return r;
  }
  std::unique_ptr<ChildProcess> Spawn(const ProcessSpec&, const std::string&) override {
    throw Error(ErrorCategory::kInternal, "not used");
  }
  std::vector<std::vector<std::string>> argvs;
  std::vector<std::string> scripts;
  std::vector<std::string> files;
  std::deque<ProcessResult> results;
};

const nlohmann::ordered_json& MethodOf(const std::string& board, const std::string& method) {
  static std::map<std::string, config::CatalogEntry> cache;
  auto it = cache.find(board);
  if (it == cache.end())
    it = cache
             .emplace(board, config::LoadCatalogFile(tockctl::testing::SourceDir() / "boards" /
                                                     (board + ".json")))
             .first;
  const config::FlashMethod* m = it->second.board.FindFlashMethod(method);
  if (!m) throw std::runtime_error(board + " has no " + method);
  return m->settings;
}

class ExternalToolTest : public ::testing::Test {
 protected:
  std::unique_ptr<ExternalToolBackend> Connected(const std::string& board,
                                                 const std::string& method,
                                                 std::optional<std::string> tock_dir = std::nullopt,
                                                 std::optional<std::string> probe = std::nullopt) {
    auto s = ParseExternalToolSettings(method, MethodOf(board, method), tock_dir, probe);
    auto b = std::make_unique<ExternalToolBackend>(
        s, runner_, QuietLog(),
        [](const std::string& p) { return std::optional<std::string>("/usr/bin/" + p); });
    b->Connect(progress_);
    return b;
  }
  void Flash(ExternalToolBackend& b, const Segment& seg) {
    b.Write(seg, progress_);
    EXPECT_TRUE(b.Verify(seg, progress_).match);
    b.Start(seg.address);
  }
  using Argv = std::vector<std::string>;
  RecordingRunner runner_;
  NullProgress progress_;
};

TEST_F(ExternalToolTest, Nrf52840dkJLinkUsesACommanderScript) {
  auto b = Connected("nrf52840dk", "jlink");
  Flash(*b, Segment{0x0, std::vector<uint8_t>(100, 0x11), "kernel"});
  Argv common = {"JLinkExe", "-device", "nRF52840_xxAA", "-if", "swd",
                 "-speed",   "1200",    "-AutoConnect",  "1",   "-CommanderScript"};
  auto with = [&](const std::string& script) {
    Argv a = common;
    a.push_back(script);
    return a;
  };
  EXPECT_EQ(runner_.argvs,
            (std::vector<Argv>{with("$TMP/write-1.jlink"), with("$TMP/verify-3.jlink"),
                               with("$TMP/start-4.jlink")}));
  EXPECT_EQ(
      runner_.scripts,
      (std::vector<std::string>{"r\nh\nloadbin $TMP/segment-0-0x00000000.bin, 0x00000000\nexit\n",
                                "r\nh\nverifybin $TMP/segment-2-0x00000000.bin, 0x00000000\nexit\n",
                                "r\ng\nexit\n"}));
  ASSERT_EQ(runner_.files.size(), 1u);
  EXPECT_EQ(runner_.files[0], std::string(100, 0x11));
}

// Reads, for the app commands: OpenOCD dump_image and J-Link savebin into a file, probe-rs read
// b8 printing hex bytes (each tool's documented command).
TEST_F(ExternalToolTest, ReadsUseEachToolsOwnReadCommand) {
  auto jlink = Connected("nrf52840dk", "jlink");
  EXPECT_THROW(jlink->Read(0x40000, 16), Error);  // the recording runner writes no file
  EXPECT_EQ(runner_.scripts.back(),
            "r\nh\nsavebin $TMP/read-0-0x00040000.bin, 0x00040000, 10\nexit\n");
  auto probe_rs = Connected("microbit_v2", "probe-rs");
  runner_.results.push_back(ProcessResult{0, false, "02 00 10 00\n", ""});
  EXPECT_EQ(probe_rs->Read(0x40000, 4), (std::vector<uint8_t>{2, 0, 0x10, 0}));
  EXPECT_EQ(runner_.argvs.back(),
            (Argv{"probe-rs", "read", "--chip", "nRF52833_xxAA", "b8", "0x40000", "4"}));
  runner_.results.push_back(ProcessResult{0, false, "02 00\n", ""});
  const Error short_read = Capture([&] { probe_rs->Read(0x40000, 4); });
  EXPECT_EQ(
      short_read.Describe(),
      "probe-rs returned 2 bytes where 4 were asked for; run with -v to see its whole output");
  runner_.results.push_back(ProcessResult{0, false, "WARN something\n", ""});
  EXPECT_EQ(Capture([&] { probe_rs->Read(0x40000, 4); }).Describe(),
            "probe-rs read printed \"WARN\" where a hex byte belongs; run with -v to see its whole "
            "output");
  EXPECT_TRUE(probe_rs->capabilities().read);
  EXPECT_FALSE(Connected("nrf52840dk", "nrfutil")->capabilities().read);
}

TEST_F(ExternalToolTest, Microbitv2OpenOcdUsesTheTockCheckoutConfig) {
  auto b = Connected("microbit_v2", "openocd", "/opt/tock");
  Flash(*b, Segment{0x8000, std::vector<uint8_t>(16, 0x22), "kernel"});
  Argv prefix = {"openocd", "-f", "/opt/tock/boards/microbit_v2/openocd.cfg"};
  auto with = [&](Argv tail) {
    Argv a = prefix;
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
  };
  EXPECT_EQ(
      runner_.argvs,
      (std::vector<Argv>{
          with({"-c", "program {$TMP/segment-0-0x00008000.bin} 0x00008000 exit"}),
          with({"-c", "init", "-c", "reset init", "-c",
                "verify_image {$TMP/segment-1-0x00008000.bin} 0x00008000 bin", "-c", "shutdown"}),
          with({"-c", "init", "-c", "reset run", "-c", "shutdown"})}));
}

TEST_F(ExternalToolTest, Microbitv2OpenOcdWithoutATockCheckoutSaysWhatToSet) {
  auto e = Capture([&] { Connected("microbit_v2", "openocd"); });
  EXPECT_EQ(e.category(), ErrorCategory::kUsage);
  EXPECT_EQ(e.Describe(),
            "the board's openocd method uses boards/microbit_v2/openocd.cfg from a Tock checkout; "
            "set TOCK_DIR to your tock directory, e.g. export TOCK_DIR=~/tock");
}

TEST_F(ExternalToolTest, Microbitv2ProbeRsDownloadsBinariesAtTheirAddress) {
  auto b = Connected("microbit_v2", "probe-rs", std::nullopt, "0d28:0204:9904360259");
  Flash(*b, Segment{0x8000, std::vector<uint8_t>(16, 0x33), "kernel"});
  EXPECT_EQ(
      runner_.argvs,
      (std::vector<Argv>{
          {"probe-rs", "download", "--chip", "nRF52833_xxAA", "--probe", "0d28:0204:9904360259",
           "--binary-format", "bin", "--base-address", "0x8000", "$TMP/segment-0-0x00008000.bin"},
          {"probe-rs", "verify", "--chip", "nRF52833_xxAA", "--probe", "0d28:0204:9904360259",
           "--binary-format", "bin", "--base-address", "0x8000", "$TMP/segment-1-0x00008000.bin"},
          {"probe-rs", "reset", "--chip", "nRF52833_xxAA", "--probe", "0d28:0204:9904360259"}}));
}

TEST_F(ExternalToolTest, NucleoF429ziOpenOcdUsesTheBoardScript) {
  auto b = Connected("nucleo_f429zi", "openocd", std::nullopt, "0483:374b:066DFF555185");
  Flash(*b, Segment{0x08000000, std::vector<uint8_t>(16, 0x44), "kernel"});
  EXPECT_EQ(runner_.argvs[0],
            (Argv{"openocd", "-f", "board/st_nucleo_f4.cfg", "-c", "adapter serial 066DFF555185",
                  "-c", "program {$TMP/segment-0-0x08000000.bin} 0x08000000 exit"}));
  EXPECT_EQ(runner_.argvs[2],
            (Argv{"openocd", "-f", "board/st_nucleo_f4.cfg", "-c", "adapter serial 066DFF555185",
                  "-c", "init", "-c", "reset run", "-c", "shutdown"}));
}

TEST_F(ExternalToolTest, NrfutilProgramsAnIntelHexFile) {
  auto b = Connected("nrf52840dk", "nrfutil", std::nullopt, "1366:1015:001050012345");
  Flash(*b, Segment{0x1000, std::vector<uint8_t>(4, 0x55), "kernel"});
  EXPECT_EQ(runner_.argvs,
            (std::vector<Argv>{
                {"nrfutil", "device", "program", "--firmware", "$TMP/segment-0-0x00001000.hex",
                 "--options", "chip_erase_mode=ERASE_RANGES_TOUCHED_BY_FIRMWARE", "--serial-number",
                 "001050012345"},
                {"nrfutil", "device", "fw-verify", "--firmware", "$TMP/segment-1-0x00001000.hex",
                 "--serial-number", "001050012345"},
                {"nrfutil", "device", "reset", "--serial-number", "001050012345"}}));
  ASSERT_FALSE(runner_.files.empty());
  EXPECT_EQ(runner_.files[0], ":020000040000FA\n:041000005555555598\n:00000001FF\n");
}

TEST_F(ExternalToolTest, ProbeWithoutSerialIsAUsageErrorForSerialBasedTools) {
  auto e = Capture([&] { Connected("nucleo_f429zi", "openocd", std::nullopt, "0483:374b"); });
  EXPECT_EQ(e.Describe(),
            "--usb for the openocd method must name a serial number; write it as VID:PID:SERIAL "
            "(see `tockctl devices`)");
}

TEST_F(ExternalToolTest, FailingToolReportsItsLastStderrLines) {
  auto b = Connected("nucleo_f429zi", "openocd");
  runner_.results.push_back(ProcessResult{
      1, false, "",
      "Open On-Chip Debugger 0.12.0\nInfo : auto-selecting first available session transport\n"
      "Error: open failed\nin procedure 'program'\n** OpenOCD init failed **\n"});
  auto e = Capture([&] { b->Write(Segment{0x08000000, {1, 2, 3}, "kernel"}, progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
  EXPECT_EQ(
      e.Describe(),
      "openocd failed with exit status 1: Error: open failed | in procedure 'program' | ** "
      "OpenOCD init failed ** (write kernel at 0x08000000); run with -v to see its whole output");
}

TEST_F(ExternalToolTest, JLinkFailureWithExitZeroIsCaught) {
  auto b = Connected("nrf52840dk", "jlink");
  runner_.results.push_back(ProcessResult{
      0, false,
      "SEGGER J-Link Commander V7.94\nConnecting to target via SWD\nCannot connect to target.\n",
      ""});
  auto e = Capture([&] { b->Write(Segment{0x0, {1}, "kernel"}, progress_); });
  EXPECT_EQ(e.Describe(),
            "JLinkExe failed with exit status 0: Cannot connect to target. (write kernel at "
            "0x00000000); run with -v to see its whole output");
}

TEST_F(ExternalToolTest, VerifyMismatchIsAResultNotAnError) {
  auto b = Connected("nucleo_f429zi", "openocd");
  runner_.results.push_back(ProcessResult{1, false, "",
                                          "checksum mismatch - attempting binary compare\ndiff 0 "
                                          "address 0x08000004. Was 0x00 instead of 0xff\n"});
  VerifyResult r =
      b->Verify(Segment{0x08000000, std::vector<uint8_t>(8, 0xff), "kernel"}, progress_);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.detail, "checksum mismatch - attempting binary compare");
}

TEST_F(ExternalToolTest, MissingToolsGetInstallHints) {
  auto missing = [](const std::string&) { return std::optional<std::string>(); };
  auto openocd =
      ExternalToolBackend(ParseExternalToolSettings("openocd", MethodOf("nucleo_f429zi", "openocd"),
                                                    std::nullopt, std::nullopt),
                          runner_, QuietLog(), missing);
  auto e = Capture([&] { openocd.Connect(progress_); });
  EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
  EXPECT_EQ(e.Describe(),
            "`openocd` was not found on PATH; install it with: apt-get install openocd");
  auto jlink =
      ExternalToolBackend(ParseExternalToolSettings("jlink", MethodOf("nrf52840dk", "jlink"),
                                                    std::nullopt, std::nullopt),
                          runner_, QuietLog(), missing);
  EXPECT_EQ(
      Capture([&] { jlink.Connect(progress_); }).Describe(),
      "`JLinkExe` was not found on PATH; install SEGGER J-Link Software and Documentation Pack");
  auto nrf =
      ExternalToolBackend(ParseExternalToolSettings("nrfutil", MethodOf("nrf52840dk", "nrfutil"),
                                                    std::nullopt, std::nullopt),
                          runner_, QuietLog(), missing);
  EXPECT_EQ(
      Capture([&] { nrf.Connect(progress_); }).Describe(),
      "`nrfutil` was not found on PATH; install nRF Util from Nordic Semiconductor, then run: "
      "nrfutil install device");
  EXPECT_TRUE(runner_.argvs.empty());
}

TEST(ExternalToolSettingsTest, ReportsMissingAndUnknownKeys) {
  auto e = Capture([] {
    ParseExternalToolSettings("jlink", nlohmann::ordered_json::parse(R"({"method":"jlink"})"),
                              std::nullopt, std::nullopt);
  });
  EXPECT_EQ(e.Describe(),
            "/device: the jlink flash method needs \"device\"; use the J-Link device name, e.g. "
            "nRF52840_xxAA");
  auto u = Capture([] {
    ParseExternalToolSettings(
        "probe-rs", nlohmann::ordered_json::parse(R"({"method":"probe-rs","chip":"x","speed":1})"),
        std::nullopt, std::nullopt);
  });
  EXPECT_EQ(u.Describe(),
            "/speed: unknown key \"speed\" in the probe-rs flash method; known keys: method, note, "
            "chip, binary_format, base_address, allow_erase_all");
}

/// Puts a directory first on PATH for the life of the object.
class PathPrepend {
 public:
  explicit PathPrepend(const std::string& dir) : old_(getenv("PATH") ? getenv("PATH") : "") {
    setenv("PATH", (dir + ":" + old_).c_str(), 1);
  }
  ~PathPrepend() { setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

TEST(ExternalToolRealRunTest, ArgumentsReachTheToolVerbatim) {
  tockctl::testing::TempDir dir;
  auto script = dir.Write(
      "openocd",
      "#!/bin/sh\n"
      "out=\"$(dirname \"$0\")\"\n"
      ": > \"$out/argv.txt\"\n"
      "for a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$out/argv.txt\"; done\n"
      "case \"$4\" in program*) f=${4#program \\{}; cp \"${f%%\\}*}\" \"$out/flashed.bin\";; esac\n"
      "exit 0\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  PathPrepend path(dir.path().string());
  PosixProcessRunner runner;
  auto s = ParseExternalToolSettings("openocd", MethodOf("nucleo_f429zi", "openocd"), std::nullopt,
                                     std::nullopt);
  ExternalToolBackend b(s, runner, QuietLog());
  NullProgress progress;
  b.Connect(progress);
  std::vector<uint8_t> data = {'t', 'o', 'c', 'k', 0, 0xff};
  b.Write(Segment{0x08000000, data, "kernel"}, progress);
  auto argv = ReadFile(dir.path() / "argv.txt");
  EXPECT_EQ(
      Normalize(argv),
      "-f\nboard/st_nucleo_f4.cfg\n-c\nprogram {$TMP/segment-0-0x08000000.bin} 0x08000000 exit\n");
  EXPECT_EQ(ReadFile(dir.path() / "flashed.bin"), std::string("tock\0\xff", 6));
  b.Disconnect();
}

TEST(ExternalToolRealRunTest, FailingToolScriptIsReported) {
  tockctl::testing::TempDir dir;
  auto script =
      dir.Write("probe-rs",
                "#!/bin/sh\necho 'Probing target' >&2\necho 'Error: No probe was found.' >&2\n"
                "exit 2\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  PathPrepend path(dir.path().string());
  PosixProcessRunner runner;
  auto s = ParseExternalToolSettings("probe-rs", MethodOf("microbit_v2", "probe-rs"), std::nullopt,
                                     std::nullopt);
  ExternalToolBackend b(s, runner, QuietLog());
  NullProgress progress;
  b.Connect(progress);
  auto e = Capture([&] { b.Write(Segment{0x8000, {1, 2}, "kernel"}, progress); });
  EXPECT_EQ(
      e.Describe(),
      "probe-rs failed with exit status 2: Probing target | Error: No probe was found. (write "
      "kernel at 0x00008000); run with -v to see its whole output");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
