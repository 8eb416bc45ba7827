// tockctl flash / image / qemu through the real binary, without touching a device.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;
using testing::TempDir;

std::string BuildElf(const TempDir& dir, const std::string& script = "uart_hello.ld") {
  auto fixtures = testing::SourceDir() / "tests" / "e2e" / "fixtures";
  auto out = (dir.path() / "kernel.elf").string();
  ProcessSpec spec;
  spec.argv = {"riscv64-unknown-elf-gcc",
               "-march=rv32imac",
               "-mabi=ilp32",
               "-nostdlib",
               "-T",
               (fixtures / script).string(),
               (fixtures / "uart_hello.S").string(),
               "-o",
               out};
  PosixProcessRunner runner;
  EXPECT_EQ(runner.Run(spec).exit_code, 0);
  return out;
}

TEST(FlashCommandTest, ConfigFileWithABoardReferenceFlashesThatBoard) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  auto config = dir.Write("mine.json", R"({"format": 1, "board": {"extends": "qemu_rv32_virt",)"
                                       R"( "page_size": 4096}})");
  auto r = RunTockctl({"flash", elf, "--config", config.string(), "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Flash plan for qemu_rv32_virt via qemu: " + elf +
                " (elf, entry 0x80000000)\n"
                "  SEGMENT                     START       END         SIZE  REGION\n"
                "  PT_LOAD[1] (.text .rodata)  0x80000000  0x8000004b  75    kernel flash\n"
                "Erase pages (4096 bytes): 0x80000000..0x80001000 (qemu needs no separate erase)\n"
                "Steps: write 75 bytes, verify, start at 0x80000000\n");
  auto bad = dir.Write("bad.json", "{\"format\": 1,\n \"board\": \"qemu_rv32\"}");
  r = RunTockctl({"flash", elf, "--config", bad.string(), "--dry-run"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: " + bad.string() +
                       ":2:11: /board: unknown board \"qemu_rv32\"; valid: qemu_rv32_virt; run: "
                       "tockctl config validate " +
                       bad.string() + "\n");
}

// Issue 15 item 6: contradictory flags are a usage error, before anything is read or touched.
TEST(FlashCommandTest, VerifyOnlyWithNoVerifyIsAUsageError) {
  auto r = RunTockctl(
      {"flash", "kernel.elf", "--board", "qemu_rv32_virt", "--verify-only", "--no-verify"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: --no-verify excludes --verify-only; run with --help for usage\n");
}

// Issue 15 item 2: a board whose only way to flash is its own tool says which and how (exit 7).
TEST(FlashCommandTest, ExternalMethodNamesTheBoardsOwnTool) {
  TempDir dir;
  auto bin = dir.Write("kernel.bin", std::string(64, '\x13'));
  auto r = RunTockctl({"flash", bin.string(), "--format", "bin", "--address", "0x20000000",
                       "--board", "earlgrey-cw310"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: earlgrey-cw310 is flashed with opentitantool, which tockctl does not run; run "
            "it yourself: opentitantool --interface=cw310 bootstrap <bin> (from "
            "$(OPENTITAN_TREE))\n");
}

TEST(FlashCommandTest, DryRunPrintsThePlanAndTouchesNothing) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  auto r = RunTockctl({"flash", elf, "--board", "qemu_rv32_virt", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Flash plan for qemu_rv32_virt via qemu: " + elf +
                " (elf, entry 0x80000000)\n"
                "  SEGMENT                     START       END         SIZE  REGION\n"
                "  PT_LOAD[1] (.text .rodata)  0x80000000  0x8000004b  75    kernel flash\n"
                "Erase pages (512 bytes): 0x80000000..0x80000200 (qemu needs no separate erase)\n"
                "Steps: write 75 bytes, verify, start at 0x80000000\n");
  EXPECT_EQ(r.err, "");
}

TEST(FlashCommandTest, DryRunJsonIsThePlan) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  auto r = RunTockctl({"--json", "flash", elf, "--board", "qemu_rv32_virt", "--method", "gdb",
                       "--tcp", "127.0.0.1:1", "--dry-run", "--no-start"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["method"], "gdb");
  EXPECT_EQ(j["segments"][0]["start"], "0x80000000");
  EXPECT_EQ(j["segments"][0]["region"], "kernel flash");
  EXPECT_EQ(j["steps"]["start"], false);
  EXPECT_EQ(j["write_bytes"], 75);
}

TEST(FlashCommandTest, SegmentOutsideFlashIsRefusedWithExit3) {
  TempDir dir;
  std::string elf = BuildElf(dir, "uart_hello_outside.ld");
  auto r = RunTockctl({"flash", elf, "--board", "qemu_rv32_virt", "--dry-run"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: " + elf +
                       ": segment PT_LOAD[2] (.rodata) 0x80100000..0x8010001f lies outside kernel "
                       "flash 0x80000000..0x80100000 of qemu_rv32_virt; use --force to write it "
                       "anyway\n");
  r = RunTockctl({"flash", elf, "--board", "qemu_rv32_virt", "--dry-run", "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Forced: segment PT_LOAD[2] (.rodata) 0x80100000..0x8010001f lies outside "
                       "kernel flash"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  PT_LOAD[2] (.rodata)  0x80100000  0x8010001f  31    app flash\n"),
            std::string::npos)
      << r.out;
}

TEST(FlashCommandTest, BoardFromAUserConfigFile) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  std::string catalog = testing::SourceDir() / "boards" / "qemu_rv32_virt.json";
  auto r = RunTockctl(
      {"flash", elf, "--config", catalog, "--method", "gdb", "--tcp", "127.0.0.1:1", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 38), "Flash plan for qemu_rv32_virt via gdb:");
}

TEST(FlashCommandTest, UsageErrors) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  auto r = RunTockctl({"flash", elf});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: say which board: pass --board NAME or --config FILE; `tockctl boards list` "
            "shows the board names\n");
  r = RunTockctl({"flash", elf, "--board", "qemu_rv32_virt", "--method", "carrier-pigeon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("error: unknown flash method `carrier-pigeon`; use one of: qemu, gdb", 0),
            0u)
      << r.err;
  r = RunTockctl({"flash", elf, "--board", "qemu_rv32_virt", "--method", "gdb", "--tcp", "nohost"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: invalid TCP endpoint 'nohost': the port is missing; expected HOST:PORT, e.g. "
            "127.0.0.1:4444, localhost:4444 or [::1]:4444\n");
  r = RunTockctl({"flash", (dir.path() / "missing.elf").string(), "--board", "qemu_rv32_virt"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  r = RunTockctl({"flash", elf, "--board", "qemu_rv32_virt", "--address", "0xZZ"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --address `0xZZ` is not a number; write it like 0x80100000 or 1048576\n");
}

TEST(FlashCommandTest, GdbServerThatIsNotThereIsATransportError) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  auto r = RunTockctl(
      {"flash", elf, "--board", "qemu_rv32_virt", "--method", "gdb", "--tcp", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("error: cannot connect to 127.0.0.1:1: connection refused (127.0.0.1:1: "
                       "connect); check that the server (QEMU, a gdb server) is running and "
                       "listening on 127.0.0.1:1\n"),
            std::string::npos)
      << r.err;
}

TEST(ImageCommandTest, InfoAndConvert) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  auto r = RunTockctl({"image", "info", elf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, elf +
                       ": elf, 1 segment, 75 bytes, entry 0x80000000\n"
                       "  SEGMENT                     START       END         SIZE\n"
                       "  PT_LOAD[1] (.text .rodata)  0x80000000  0x8000004b  75\n");
  std::string hex = (dir.path() / "kernel.hex").string();
  r = RunTockctl({"image", "convert", elf, hex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "Wrote " + hex + " (ihex, 258 B) from " + elf + " (elf, 1 segment)\n");
  r = RunTockctl({"--json", "image", "info", hex});
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "ihex");
  EXPECT_EQ(j["entry"], "0x80000000");
  EXPECT_EQ(j["segments"][0]["size"], 75);
  std::string uf2 = (dir.path() / "kernel.uf2").string();
  r = RunTockctl({"image", "convert", hex, uf2});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: UF2 output needs a family ID; pass --family "
            "rp2040|rp2350-arm-s|rp2350-riscv|0x...\n");
  r = RunTockctl({"image", "convert", hex, uf2, "--family", "rp2350-riscv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunTockctl({"image", "info", uf2});
  EXPECT_EQ(r.out.substr(r.out.find(':')),
            ": uf2, 1 segment, 256 bytes, UF2 family rp2350-riscv\n"
            "  SEGMENT         START       END         SIZE\n"
            "  uf2 blocks 0-0  0x80000000  0x80000100  256\n");
}

TEST(ImageCommandTest, ConvertTakesTheUf2FamilyFromABoard) {
  TempDir dir;
  std::string elf = BuildElf(dir);
  std::string uf2 = (dir.path() / "kernel.uf2").string();
  auto r = RunTockctl({"image", "convert", elf, uf2, "--board", "raspberry_pi_pico"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "Wrote " + uf2 + " (uf2, 512 B, 1 block, family rp2040) from " + elf +
                       " (elf, 1 segment)\n");
}

TEST(ImageCommandTest, MalformedImageErrorsCarryTheFileAndLine) {
  TempDir dir;
  auto hex = dir.Write("bad.hex", ":0400000001020304F2\n:0400100005060708FF\n");
  auto r = RunTockctl({"image", "info", hex.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: " + hex.string() + ":2:18: checksum is 0xFF, expected 0xD2\n");
}

TEST(QemuCommandTest, StatusWithNothingRunning) {
  TempDir dir;
  ProcessSpec spec;
  spec.argv = {TOCKCTL_BINARY, "--json", "qemu", "status"};
  spec.env["TOCKCTL_RUNTIME_DIR"] = dir.path().string();
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "{\"running\":false,\"stale\":false,\"state_file\":\"" +
                               (dir.path() / "qemu.json").string() + "\"}\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
