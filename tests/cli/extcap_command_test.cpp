// `tockctl extcap` through the real binary, as Wireshark runs it (also through a `tockctl-extcap`
// link), with a private QEMU state directory and an empty sysfs tree so the output is the same on
// every host. Captures from QEMU are tested in tests/e2e/extcap_tshark_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "common/file_io.h"
#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::SourceDir;
using testing::TempDir;

class ExtcapCommandTest : public ::testing::Test {
 protected:
  ExtcapCommandTest() {
    fs::create_directories(dir_.path() / "run");
    fs::create_directories(dir_.path() / "empty");
  }

  // Runs `program` (the tockctl binary unless given) with `args`; sysfs is an empty tree.
  CliRun Run(const std::vector<std::string>& args, const std::string& program = TOCKCTL_BINARY,
             bool with_sysfs = true) const {
    ProcessSpec spec;
    spec.argv = {program};
    if (program == TOCKCTL_BINARY) spec.argv.push_back("extcap");
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    if (with_sysfs) {
      for (const char* flag : {"--sys-root", "--dev-root"}) {
        spec.argv.push_back(flag);
        spec.argv.push_back((dir_.path() / "empty").string());
      }
    }
    spec.env = {{"NO_COLOR", "1"},
                {"TOCKCTL_DATA_DIR", SourceDir().string()},
                {"TOCKCTL_RUNTIME_DIR", (dir_.path() / "run").string()}};
    spec.timeout = std::chrono::seconds(60);
    PosixProcessRunner runner;
    ProcessResult r = runner.Run(spec);
    return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
  }

  static std::string Header() {
    std::string version = testing::RunTockctl({"--version"}).out;  // "tockctl X.Y.Z\n"
    version = version.substr(8, version.size() - 9);
    return "extcap {version=" + version + "}{help=file://" +
           (SourceDir() / "docs" / "extcap.md").lexically_normal().string() + "}\n";
  }

  std::string NoQemuError() const {
    return "error: no QEMU started by tockctl is running (no " +
           (dir_.path() / "run" / "qemu.json").string() +
           "); start it with: tockctl flash IMAGE --board qemu_rv32_virt\n";
  }

  TempDir dir_;
};

const char* kQemuNotRunning =
    "interface {value=tockctl-qemu}{display=tockctl: QEMU (not running; start it with tockctl "
    "flash)}\n";

TEST_F(ExtcapCommandTest, ListsTheInterfacesAsWiresharkAsks) {
  CliRun r = Run({"--extcap-interfaces", "--extcap-version=4.0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Header() + kQemuNotRunning);
  EXPECT_EQ(r.err, "");
  r = Run({"--extcap-version"});
  EXPECT_EQ(r.out, Header());
}

TEST_F(ExtcapCommandTest, ALinkNamedTockctlExtcapIsTockctlExtcap) {
  fs::path link = dir_.path() / "tockctl-extcap";
  fs::create_symlink(TOCKCTL_BINARY, link);
  CliRun r = Run({"--extcap-interfaces", "--extcap-version=4.0"}, link.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Header() + kQemuNotRunning);
  r = Run({"--extcap-interface", "tockctl-qemu", "--extcap-dlts"}, link.string(), false);
  EXPECT_EQ(r.out,
            "dlt {number=147}{name=USER0}{display=Tock trace (pcapng: one interface per device "
            "interface, USER0 for IPC records)}\n");
  r = Run({"--capture", "--extcap-interface", "tockctl-qemu", "--fifo",
           (dir_.path() / "fifo").string()},
          link.string(), false);
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, NoQemuError());
  EXPECT_FALSE(fs::exists(dir_.path() / "fifo"));  // the source is opened first
}

TEST_F(ExtcapCommandTest, UsageErrorsAreOneLine) {
  CliRun r = Run({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: tell tockctl extcap what to do; Wireshark passes --extcap-interfaces, "
            "--extcap-dlts, --extcap-config or --capture; to set tockctl up in Wireshark run: "
            "tockctl extcap --install\n");
  r = Run({"--extcap-interface", "wlan0", "--extcap-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown interface wlan0; tockctl's interfaces start with tockctl-; list them "
            "with: tockctl extcap --extcap-interfaces\n");
}

TEST_F(ExtcapCommandTest, CaptureFiltersAreCheckedAndRefused) {
  CliRun r = Run({"--extcap-interface", "tockctl-qemu", "--extcap-capture-filter", ""});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  r = Run({"--extcap-interface", "tockctl-qemu", "--extcap-capture-filter", "udp"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "tockctl interfaces take no capture filter; use a display filter, or the Filter "
            "options of the interface\n");
  r = Run({"--capture", "--extcap-interface", "tockctl-qemu", "--extcap-capture-filter", "udp",
           "--fifo", (dir_.path() / "fifo").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: tockctl interfaces take no capture filter; use a display filter, or the "
            "Filter options of the interface\n");
}

// Every option --extcap-config announces (with a value where it takes one) is one the capture
// accepts: the call gets past the command line to opening the device.
TEST_F(ExtcapCommandTest, EveryConfigOptionIsAcceptedByTheCapture) {
  const std::map<std::string, std::string> values = {
      {"--baud", "921600"},         {"--usb-interface", "3"},
      {"--process", "net_service"}, {"--service", "net.svc"},
      {"--iface", "wpan0"},         {"--save-raw", (dir_.path() / "raw.bin").string()}};
  const std::map<std::string, std::string> expected_errors = {
      {"tockctl-qemu", NoQemuError()},
      {"tockctl-serial-0123456789",
       "error: the device of tockctl-serial-0123456789 is not attached "
       "(tockctl-serial-0123456789: open); plug it in and refresh Wireshark's interface list "
       "(Capture > Refresh Interfaces)\n"},
      {"tockctl-usb-6667-0001",
       "error: the device of tockctl-usb-6667-0001 is not attached (tockctl-usb-6667-0001: "
       "open); plug it in and refresh Wireshark's interface list (Capture > Refresh "
       "Interfaces)\n"}};
  for (const auto& [interface, error] : expected_errors) {
    CliRun config = Run({"--extcap-interface", interface, "--extcap-config"});
    ASSERT_EQ(config.exit_code, 0) << config.err;
    std::vector<std::string> args = {"--capture",
                                     "--extcap-interface",
                                     interface,
                                     "--fifo",
                                     (dir_.path() / "fifo").string(),
                                     "--extcap-control-in",
                                     "/dev/null",
                                     "--extcap-control-out",
                                     "/dev/null"};
    const std::regex call(R"(\{call=([^}]*)\}.*\{type=([a-z]*)\})");
    int options = 0;
    for (std::sregex_iterator m(config.out.begin(), config.out.end(), call), end; m != end; ++m) {
      ++options;
      if ((*m)[1] == "--wait") continue;  // would wait for QEMU: see the next test
      args.push_back((*m)[1]);
      if ((*m)[2] != "boolflag") args.push_back(values.at((*m)[1]));
    }
    EXPECT_EQ(options, 8) << config.out;
    CliRun r = Run(args);
    EXPECT_EQ(r.exit_code, 5) << interface;
    EXPECT_EQ(r.err, error);
  }
}

// What Wireshark's Stop button does: SIGTERM ends a capture (here one waiting for QEMU) at once,
// with exit code 0 and a valid capture holding the section header and the tock-trace interface.
TEST_F(ExtcapCommandTest, SigtermEndsACaptureWaitingForQemu) {
  const fs::path capture = dir_.path() / "capture.pcapng";
  ProcessSpec spec;
  spec.argv = {TOCKCTL_BINARY, "extcap",         "--capture", "--extcap-interface", "tockctl-qemu",
               "--fifo",       capture.string(), "--wait",    "--reconnect"};
  spec.env = {{"TOCKCTL_DATA_DIR", SourceDir().string()},
              {"TOCKCTL_RUNTIME_DIR", (dir_.path() / "run").string()}};
  PosixProcessRunner runner;
  auto child = runner.Spawn(spec, (dir_.path() / "extcap.log").string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto header_written = [&] {
    std::error_code ec;
    const auto size = fs::file_size(capture, ec);
    return !ec && size >= 28;
  };
  while (!header_written() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(child->Running());
  EXPECT_EQ(child->Stop(std::chrono::milliseconds(5000)), 0);
  const std::string bytes = ReadFile(capture);
  ASSERT_GE(bytes.size(), 28u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  EXPECT_NE(bytes.find("tock-trace"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_.path() / "extcap.log"), "");  // nothing for Wireshark to show as error
}

TEST_F(ExtcapCommandTest, InstallLinksIntoTheFoldersAndUninstallRemovesThem) {
  const fs::path extcap = dir_.path() / "extcap";
  const fs::path lua = dir_.path() / "plugins";
  CliRun r = Run({"--install", "--extcap-dir", extcap.string(), "--lua-dir", lua.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path binary = fs::canonical(TOCKCTL_BINARY);
  const fs::path dissector = SourceDir() / "tracer" / "dissector" / "tockctl_ipc.lua";
  EXPECT_EQ(r.out, "linked " + (extcap / "tockctl-extcap").string() + " -> " + binary.string() +
                       "\nlinked " + (lua / "tockctl_ipc.lua").string() + " -> " +
                       dissector.string() +
                       "\nWireshark shows the tockctl interfaces from its next start (or after "
                       "Capture > Refresh Interfaces); check with: tshark -D\n");
  EXPECT_EQ(fs::read_symlink(extcap / "tockctl-extcap"), binary);
  CliRun listed = Run({"--extcap-interfaces"}, (extcap / "tockctl-extcap").string());
  EXPECT_EQ(listed.out.substr(0, 7), "extcap ");

  r = Run({"--uninstall", "--extcap-dir", extcap.string(), "--lua-dir", lua.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "removed " + (extcap / "tockctl-extcap").string() + "\nremoved " +
                       (lua / "tockctl_ipc.lua").string() + "\n");
  r = Run({"--install", "--uninstall"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
