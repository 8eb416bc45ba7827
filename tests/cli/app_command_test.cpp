// tockctl app inspect / app install --dry-run through the real binary: docs/apps.md's examples
// print exactly what the page shows, JSON documents, and the one-line errors with their exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/file_io.h"
#include "tests/support/doc_examples.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;
using testing::SourceDir;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// True if the console block of `command` in `doc` marks skipped output with a "..." line.
bool Truncated(const std::string& doc, const std::string& command) {
  const size_t at = doc.find("$ " + command + "\n");
  const size_t fence = doc.find("```", at);
  return doc.substr(at, fence - at).find("\n...\n") != std::string::npos;
}

TEST(AppDocs, ExamplesPrintWhatTheDocumentShows) {
  const std::string doc = testing::Slurp(SourceDir() / "docs/apps.md");
  const auto examples = testing::ConsoleExamples(doc);
  // Run where tests/ is the repository's and files the examples write stay out of it.
  testing::TempDir dir;
  std::filesystem::create_directory_symlink(SourceDir() / "tests", dir.path() / "tests");
  ASSERT_GE(examples.size(), 8u);
  for (const auto& ex : examples) {
    auto words = testing::CommandWords(ex.command);
    ASSERT_EQ(words.front(), "tockctl");
    words.erase(words.begin());
    const auto run = RunTockctl(words, dir.path().string());
    const bool error = !ex.shown.empty() && ex.shown.front().starts_with("error: ");
    EXPECT_EQ(run.exit_code == 0, !error) << ex.command << "\n" << run.err;
    const auto actual = Lines(run.out.empty() ? run.err : run.out);
    if (!Truncated(doc, ex.command)) {
      EXPECT_EQ(actual.size(), ex.shown.size()) << ex.command;
    }
    for (size_t i = 0; i < ex.shown.size() && i < actual.size(); ++i)
      EXPECT_TRUE(testing::MatchesShown(ex.shown[i], actual[i]))
          << ex.command << "\n shown: " << ex.shown[i] << "\nactual: " << actual[i];
  }
}

const std::string kFixtures = "tests/fixtures/apps/";

TEST(AppCommand, InspectJsonHasEveryTbfAndItsFindings) {
  const auto run = RunTockctl({"--json", "app", "inspect", kFixtures + "bad-checksum.tbf"},
                              SourceDir().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["kind"], "tbf");
  EXPECT_EQ(j["name"], "blink");
  ASSERT_EQ(j["tbfs"].size(), 1u);
  EXPECT_EQ(j["tbfs"][0]["checksum_correct"], false);
  EXPECT_EQ(j["tbfs"][0]["header"]["checksum"], "0x6e417077");
  EXPECT_EQ(j["tbfs"][0]["findings"][0],
            "checksum 0x6e417077 is wrong: expected 0x6e417076; the kernel refuses this app");
  const auto tab = RunTockctl({"--json", "app", "inspect", kFixtures + "rot13_service.tab"},
                              SourceDir().string());
  const auto t = nlohmann::json::parse(tab.out);
  EXPECT_EQ(t["kind"], "tab");
  EXPECT_EQ(t["tbfs"].size(), 3u);
  EXPECT_EQ(t["tbfs"][1]["header"]["permissions"][0]["driver"], "0x10000");
  EXPECT_EQ(t["tbfs"][1]["header"]["credentials"][0]["format_name"], "SHA256");
}

TEST(AppCommand, InstallDryRunJsonIsThePlan) {
  const auto run = RunTockctl({"--json", "app", "install", kFixtures + "blink.tab", "--board",
                               "microbit_v2", "--dry-run", "--kernel-version", "2.2"},
                              SourceDir().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out),
            nlohmann::json::parse(R"json({"app_flash":{"length":262144,"origin":"0x40000"},
      "apps":[{"address":"0x40000","alignment":2048,"fixed":false,"flags":1,"name":"blink",
      "size":2048,"source":"tests/fixtures/apps/blink.tab: cortex-m4.tbf","state":"new"}],
      "board":"microbit_v2","clear_size":4096,"dry_run":true,"end":"0x40800","notes":[],"output":null,
      "pages_unchanged":1,"pages_written":1,"protection":"armv7m-mpu","removed":[],
      "rule":"armv7m-mpu: each app in a power-of-two region aligned to its size (at least 32 bytes)"})json"));
}

TEST(AppCommand, BadInputIsOneLineWithItsExitCode) {
  testing::TempDir dir;
  WriteFileAtomic(dir.path() / "junk.tbf",
                  std::string_view("\x01\x00\x10\x00junkjunkjunkjunk", 20));
  auto run = RunTockctl({"app", "inspect", (dir.path() / "junk.tbf").string()});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err, "error: " + (dir.path() / "junk.tbf").string() +
                         ": offset 0: TBF version is 1, not 2; this is not a Tock app (or a TBF "
                         "version the kernel no longer loads)\n");
  run = RunTockctl({"app", "install", kFixtures + "blink.tab", "--board", "hail", "--dry-run",
                    "--kernel-version", "two"},
                   SourceDir().string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "error: --kernel-version: kernel version \"two\" is not MAJOR.MINOR (e.g. 2.2)\n");
  run =
      RunTockctl({"app", "install", kFixtures + "blink.tab", "--board", "nosuchboard", "--dry-run"},
                 SourceDir().string());
  EXPECT_EQ(run.exit_code, 2);
  run = RunTockctl({"app", "install", kFixtures + "rot13_service.tab", "--board", "hail",
                    "--dry-run", "--on-board", kFixtures + "missing.bin"},
                   SourceDir().string());
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_EQ(run.err, "error: tests/fixtures/apps/missing.bin: no such file\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(AppCommand, PackJsonNamesTheFileItWrote) {
  testing::TempDir dir;
  const auto tbf = (dir.path() / "hello.tbf").string();
  const auto run = RunTockctl({"--json", "app", "pack", "tests/fixtures/apps/hello.elf", "--name",
                               "hello", "--sticky", "-o", tbf},
                              testing::SourceDir().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out),
            nlohmann::json({{"output", tbf}, {"name", "hello"}, {"size", 64}}));
  const auto inspect = RunTockctl({"app", "inspect", tbf});
  EXPECT_EQ(inspect.out.substr(0, inspect.out.find('\n')),
            "hello.tbf: app \"hello\", 0x40 bytes, enabled, sticky");
}

// A libtock-c-shaped ELF (tests/support/elf_builder.h) linked for flash at `flash`, in `dir`.
std::string WriteLibtockcElf(const testing::TempDir& dir, uint64_t flash) {
  const auto path = (dir.path() / "rot13.elf").string();
  WriteFileAtomic(path, testing::BuildElf(testing::LibtockcElfSpec(flash, 0x80300000)));
  return path;
}

TEST(AppCommand, PackLibtockcElfIsElf2tabsLayoutAndInstallsAtItsFixedAddress) {
  testing::TempDir dir;
  const auto elf = WriteLibtockcElf(dir, 0x80100080);
  const auto tbf = (dir.path() / "rot13.tbf").string();
  auto run = RunTockctl({"app", "pack", elf, "--name", "rot13", "--kernel-version", "2.2",
                         "--minimum-footer-size", "3000", "-o", tbf});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "wrote " + tbf +
                         ": app \"rot13\", 3204 bytes (elf2tab layout, fixed flash 0x80100080, "
                         "RAM 0x80300000)\n");
  run = RunTockctl({"app", "inspect", tbf});
  EXPECT_EQ(run.out,
            "rot13.tbf: app \"rot13\", 0xc84 bytes, enabled\n"
            "  header: version 2, header_size 0x58, total_size 0xc84, flags 0x1, checksum "
            "0x311f638e (correct)\n"
            "  Main: init_fn_offset 0x50, protected_trailer_size 0x28, minimum_ram_size 0x1028\n"
            "  Program: init_fn_offset 0x50, protected_trailer_size 0x28, minimum_ram_size "
            "0x1028, binary_end_offset 0xcc, version 0\n"
            "  PackageName: \"rot13\"\n"
            "  FixedAddresses: flash 0x80100080, ram 0x80300000\n"
            "  KernelVersion: ^2.2\n"
            "  footer Credentials Reserved (0x0): 2992 bytes: 00 00 00 00 00 00 00 00 00 00 00 "
            "00 00 00 00 00 ...\n");
  // The header and protected region end at 0x80100080: the TBF goes at the start of app flash.
  run = RunTockctl({"app", "install", tbf, "--board", "qemu_rv32_virt", "--dry-run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\n  0x80100000  0xc84 bytes  \"rot13\" new (enabled, fixed) from " + tbf +
                         "\n"),
            std::string::npos)
      << run.out;
}

TEST(AppCommand, PackRefusesAFixedFlashAddressWithNoRoomForTheHeader) {
  testing::TempDir dir;
  const auto elf = WriteLibtockcElf(dir, 0x80100010);
  const auto tbf = (dir.path() / "rot13.tbf").string();
  const auto run = RunTockctl({"app", "pack", elf, "--name", "rot13", "-o", tbf});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err, "error: " + elf +
                         ": the fixed flash address 0x80100010 is 0x10 bytes past the 256-byte "
                         "boundary 0x80100000 where the TBF would start, too few for its "
                         "0x58-byte header; link the app's flash at least 0x58 bytes past a "
                         "256-byte boundary (libtock-c uses 0x...80), or give "
                         "--protected-region-size\n");
  EXPECT_FALSE(std::filesystem::exists(tbf));
}

TEST(AppCommand, InstallDryRunOutputIsThePlannedAppFlash) {
  testing::TempDir dir;
  const auto image = dir.path() / "apps.bin";
  const auto run = RunTockctl(
      {"app", "install", "tests/fixtures/apps/blink.tab", "tests/fixtures/apps/rot13_service.tab",
       "--board", "hail", "--kernel-version", "2.2", "--dry-run", "-o", image.string()},
      testing::SourceDir().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "wrote the app flash image (10752 bytes from the start of app flash) to " +
                         image.string() + "\n");
  const auto bytes = ReadBinaryFile(image);
  ASSERT_EQ(bytes.size(), 0x2a00u);  // service 0x2000 region, blink 0x800, cleared page 0x200
  // rot13_service at 0x30000 (total_size 0x1400), a padding app at 0x31400, blink at 0x32000.
  EXPECT_EQ(bytes[0], 2);
  EXPECT_EQ(bytes[4] | bytes[5] << 8, 0x1400);
  EXPECT_EQ(bytes[0x1400 + 2], 16);  // padding: header_size 16
  EXPECT_EQ(bytes[0x1400 + 4] | bytes[0x1400 + 5] << 8, 0xc00);
  EXPECT_EQ(bytes[0x2000 + 4] | bytes[0x2000 + 5] << 8, 0x800);
  EXPECT_EQ(bytes[0x2800], 0xFF);
}

TEST(AppCommand, AMethodThatCannotReadRefusesBeforeTouchingTheBoard) {
  // nrfutil writes and verifies but cannot read memory back.
  const auto run = RunTockctl({"app", "install", "tests/fixtures/apps/blink.tab", "--board",
                               "nrf52840dk", "--method", "nrfutil"},
                              testing::SourceDir().string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "error: the nrfutil method cannot read the board's flash, so tockctl cannot see which "
            "apps it holds; nothing was changed; add --erase to replace every app on the board "
            "with the ones given, or pass --method with one that can read (gdb, qemu, "
            "tock-bootloader, openocd, jlink, probe-rs)\n");
  const auto on_board = RunTockctl({"app", "install", "tests/fixtures/apps/blink.tab", "--board",
                                    "hail", "--on-board", "tests/fixtures/apps/hail-app-flash.bin"},
                                   testing::SourceDir().string());
  EXPECT_EQ(on_board.exit_code, 2);
  EXPECT_EQ(on_board.err,
            "error: --on-board stands for the board in a dry run; add --dry-run, or leave "
            "--on-board out to read the board\n");
}

// flash --app places TABs as app install --erase does: the board's TBF, aligned, the list ended.
TEST(AppCommand, FlashAppPlacesTabsLikeInstall) {
  testing::TempDir dir;
  const auto kernel = dir.path() / "kernel.bin";
  WriteFileAtomic(kernel, std::string(3000, 'k'));
  auto run = RunTockctl({"flash", kernel.string(), "--address", "0x10000", "--board", "hail",
                         "--app", "tests/fixtures/apps/blink.tab", "--app",
                         "tests/fixtures/apps/rot13_service.tab", "--dry-run", "--json"},
                        testing::SourceDir().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto plan = nlohmann::json::parse(run.out);
  ASSERT_EQ(plan["segments"].size(), 2u) << run.out;
  EXPECT_EQ(plan["segments"][1]["name"], "apps: org.tockos.rot13, blink");
  EXPECT_EQ(plan["segments"][1]["start"], "0x30000");
  EXPECT_EQ(plan["segments"][1]["end"], "0x32a00");  // as the dry run's -o image above
  run = RunTockctl({"flash", kernel.string(), "--address", "0x10000", "--board", "hail", "--app",
                    kernel.string(), "--dry-run"},
                   testing::SourceDir().string());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err, "error: " + kernel.string() +
                         ": offset 0: TBF version is 27499, not 2; this is not a Tock app (or a "
                         "TBF version the kernel no longer loads)\n");
  // --region app takes an app flash image as it is, but only one the kernel finds apps in.
  run = RunTockctl({"flash", kernel.string(), "--region", "app", "--board", "hail", "--dry-run"},
                   testing::SourceDir().string());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err, "error: " + kernel.string() +
                         ": does not start with a TBF header, so the kernel would find no app in "
                         "it; pass TABs or TBFs with --app (or tockctl app install), or --force to "
                         "write it anyway\n");
  run = RunTockctl(
      {"flash", kernel.string(), "--region", "app", "--board", "hail", "--dry-run", "--force"},
      testing::SourceDir().string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  run = RunTockctl({"flash", "tests/fixtures/apps/hail-app-flash.bin", "--region", "app", "--board",
                    "hail", "--dry-run"},
                   testing::SourceDir().string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
