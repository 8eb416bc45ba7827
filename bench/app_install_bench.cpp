// Installing the same three apps (the fixture TABs blink, rot13_service and rot13_client) on the
// same serial-bootloader peer at 115200 baud, paced at the line rate, with `tockctl app install`
// and, when given, with another installer such as tockloader: wall time per run, the median, and
// the ratio of the medians, measured in the same run. Each run gets a fresh peer (tock-bootloader
// 1.1.3 on a nano33ble, app flash at 0x50000); after each run the peer's app flash must hold the
// three apps, or the benchmark fails.
//
//   build/bench/app_install_bench --tockctl build/cli/tockctl [--runs N]
//       [--other NAME 'COMMAND WITH {port} AND {apps}']
//
// e.g. --other tockloader 'python3 -m tockloader.main install --port {port} --board nano33ble
//       --no-bootloader-entry {apps}' (docs/apps.md, "Speed").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "apps/placement.h"
#include "tests/flasher/tock_bootloader_peer.h"

namespace {

namespace testing = tockctl::flasher::testing;

constexpr uint32_t kAppFlash = 0x50000;
constexpr uint32_t kAppFlashLength = 0x40000;

struct Options {
  std::string tockctl;
  std::string other_name;
  std::string other_command;
  int runs = 3;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "app_install_bench: %s\nusage: app_install_bench --tockctl PATH [--runs N] "
               "[--other NAME 'COMMAND with {port} and {apps}']\n",
               why);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--tockctl" && i + 1 < argc) {
      o.tockctl = argv[++i];
    } else if (k == "--runs" && i + 1 < argc) {
      o.runs = std::max(1, std::atoi(argv[++i]));
    } else if (k == "--other" && i + 2 < argc) {
      o.other_name = argv[++i];
      o.other_command = argv[++i];
    } else {
      Usage(("unknown argument " + k).c_str());
    }
  }
  if (o.tockctl.empty()) Usage("--tockctl is required");
  return o;
}

std::string Apps() {
  const std::string dir = std::string(TOCKCTL_SOURCE_DIR) + "/tests/fixtures/apps/";
  return dir + "blink.tab " + dir + "rot13_service.tab " + dir + "rot13_client.tab";
}

std::string Fill(std::string command, const std::string& port) {
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{port}", port},
                                   std::pair<std::string, std::string>{"{apps}", Apps()}}) {
    for (size_t at = command.find(key); at != std::string::npos; at = command.find(key))
      command.replace(at, key.size(), value);
  }
  return command;
}

// The apps the peer's app flash holds, by name.
std::set<std::string> Installed(const testing::TockBootloaderPeer& peer) {
  const auto flash = peer.ReadFlash(kAppFlash, kAppFlashLength);
  std::set<std::string> names;
  for (const auto& app : tockctl::apps::ReadInstalledApps(flash, kAppFlash, "app flash"))
    names.insert(app.header.Name());
  return names;
}

// One install into a fresh peer; returns the wall time in seconds.
double RunOnce(const std::string& name, const std::string& command_template) {
  testing::PeerOptions options;
  options.pace = true;  // 115200 baud, 10 bit times a byte, the bootloader's idle gap
  options.touch_resets = false;
  testing::TockBootloaderPeer peer(options);
  const std::string log = "/tmp/app_install_bench." + name + ".log";
  const std::string command = Fill(command_template, peer.port_path()) + " >" + log + " 2>&1";
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(command.c_str());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::set<std::string> want = {"blink", "org.tockos.rot13", "rot13_client"};
  if (status != 0 || Installed(peer) != want) {
    std::fprintf(stderr, "app_install_bench: %s failed (status %d): %s (its output: %s)\n",
                 name.c_str(), status, command.c_str(), log.c_str());
    std::exit(1);
  }
  return seconds;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Measure(const std::string& name, const std::string& command, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    times.push_back(RunOnce(name, command));
    std::printf("%-10s run %d: %.2f s\n", name.c_str(), i + 1, times.back());
  }
  const double median = Median(times);
  std::printf("%-10s median: %.2f s\n", name.c_str(), median);
  return median;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  const double tockctl =
      Measure("tockctl",
              o.tockctl + " --quiet app install {apps} --board nano33ble --serial {port}", o.runs);
  if (o.other_command.empty()) return 0;
  const double other = Measure(o.other_name, o.other_command, o.runs);
  std::printf("%s takes %.2fx the time of tockctl\n", o.other_name.c_str(), other / tockctl);
  return 0;
}
