// One vocabulary for devices across commands: every VID:PID[:SERIAL] and HOST:PORT form gives the
// same answer in `trace` and `flash` (through the real binary), well-formed or not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::CliRun;
using testing::RunTockctl;
using testing::TempDir;

// The "error: ..." line of a run (flash prints progress lines before it).
std::string ErrorLine(const CliRun& run) {
  size_t at = run.err.rfind("error: ");
  if (at == std::string::npos) return "no error line in: " + run.err;
  return run.err.substr(at, run.err.find('\n', at) - at);
}

std::string KernelBin(const TempDir& dir) {
  return dir.Write("kernel.bin", std::string(64, '\x5a')).string();
}

CliRun TraceUsb(const std::string& selector) { return RunTockctl({"trace", "--usb", selector}); }

CliRun FlashUsb(const TempDir& dir, const std::string& selector) {
  return RunTockctl({"flash", KernelBin(dir), "--address", "0x10000000", "--board",
                     "raspberry_pi_pico", "--method", "picoboot", "--usb", selector});
}

CliRun TraceTcp(const std::string& endpoint) { return RunTockctl({"trace", "--tcp", endpoint}); }

CliRun FlashTcp(const TempDir& dir, const std::string& endpoint) {
  return RunTockctl({"flash", KernelBin(dir), "--address", "0x80000000", "--board",
                     "qemu_rv32_virt", "--method", "gdb", "--tcp", endpoint});
}

TEST(DeviceSelectorTest, HexIdsWithOrWithout0xAreAcceptedByTraceAndFlash) {
  TempDir dir;
  for (const std::string selector : {"0x2e8a:0xa", "2e8a:000a", "2E8A:A:E6616407E3"}) {
    CliRun trace = TraceUsb(selector);
    CliRun flash = FlashUsb(dir, selector);
    // No device is attached in the test: both look for it (transport, exit 5), neither refuses
    // the selector (usage, exit 2).
    EXPECT_EQ(trace.exit_code, 5) << selector << ": " << trace.err;
    EXPECT_EQ(flash.exit_code, 5) << selector << ": " << flash.err;
    EXPECT_EQ(trace.err.find("invalid USB selector"), std::string::npos) << trace.err;
    EXPECT_EQ(flash.err.find("invalid USB selector"), std::string::npos) << flash.err;
  }
}

TEST(DeviceSelectorTest, AMalformedSelectorIsTheSameOneLineErrorInTraceAndFlash) {
  TempDir dir;
  const std::string hint =
      "; expected VID:PID[:SERIAL] with hexadecimal ids, e.g. 1209:0001 or 2e8a:000a:E6616407E3";
  for (const auto& [selector, why] : std::vector<std::pair<std::string, std::string>>{
           {"2e8a", "the product id is missing"},
           {"2e8a-000a", "the product id is missing"},
           {"12345:0001", "the vendor id '12345' is not 1 to 4 hexadecimal digits"},
           {"2e8a:0x", "the product id '0x' is not 1 to 4 hexadecimal digits"},
           {"2e8a:000a:", "the serial number after ':' is empty"}}) {
    const std::string expected = "error: invalid USB selector '" + selector + "': " + why + hint;
    CliRun trace = TraceUsb(selector);
    CliRun flash = FlashUsb(dir, selector);
    EXPECT_EQ(trace.exit_code, 2) << selector;
    EXPECT_EQ(flash.exit_code, 2) << selector;
    EXPECT_EQ(trace.err, expected + "\n");
    EXPECT_EQ(ErrorLine(flash), expected);
  }
}

TEST(DeviceSelectorTest, EveryEndpointFormConnectsTheSameWayInTraceAndFlash) {
  TempDir dir;
  // Port 1 (tcpmux) is never served in a test environment, as in flash_command_test.
  for (const std::string endpoint : {"127.0.0.1:1", "[::1]:1", "localhost:1"}) {
    CliRun trace = TraceTcp(endpoint);
    CliRun flash = FlashTcp(dir, endpoint);
    EXPECT_EQ(trace.exit_code, 5) << endpoint << ": " << trace.err;
    EXPECT_EQ(flash.exit_code, 5) << endpoint << ": " << flash.err;
    EXPECT_EQ(ErrorLine(trace).rfind("error: cannot connect to ", 0), 0u) << trace.err;
    EXPECT_EQ(ErrorLine(flash), ErrorLine(trace));
  }
}

TEST(DeviceSelectorTest, AMalformedEndpointIsTheSameOneLineErrorInTraceAndFlash) {
  TempDir dir;
  const std::string hint =
      "; expected HOST:PORT, e.g. 127.0.0.1:4444, localhost:4444 or [::1]:4444";
  for (const auto& [endpoint, why] : std::vector<std::pair<std::string, std::string>>{
           {"::1:4444", "write IPv6 addresses in brackets, e.g. [::1]:4444"},
           {"nohost", "the port is missing"},
           {"[::1", "missing ']'"},
           {"host:70000", "the port must be a number from 1 to 65535"},
           {":4444", "the host is missing"}}) {
    const std::string expected = "error: invalid TCP endpoint '" + endpoint + "': " + why + hint;
    CliRun trace = TraceTcp(endpoint);
    CliRun flash = FlashTcp(dir, endpoint);
    EXPECT_EQ(trace.exit_code, 2) << endpoint;
    EXPECT_EQ(flash.exit_code, 2) << endpoint;
    EXPECT_EQ(trace.err, expected + "\n");
    EXPECT_EQ(ErrorLine(flash), expected);
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
