#include "kernel/board_integration.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "common/file_io.h"
#include "config/config_template.h"
#include "tests/kernel/fixture_tree.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using tockctl::testing::SourceDir;

// The fixture tree with tests/fixtures/integrate's main.rs, lib.rs and Cargo.toml in its board,
// and a qemu_rv32_virt board file with `trace` as its "trace" section (none when null).
struct IntegrationFixture {
  testing::FixtureTree tree;
  fs::path board_file;

  explicit IntegrationFixture(const nlohmann::ordered_json& trace) {
    fs::path src = SourceDir() / "tests" / "fixtures" / "integrate";
    fs::copy_file(src / "main.rs", tree.board_dir() / "src" / "main.rs",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(src / "lib.rs", tree.board_dir() / "src" / "lib.rs");
    fs::copy_file(src / "Cargo.toml", tree.board_dir() / "Cargo.toml",
                  fs::copy_options::overwrite_existing);
    board_file = tree.temp().path() / "q.json";
    config::InitConfigFile(SourceDir(), "qemu_rv32_virt", board_file.string(), false);
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(ReadFile(board_file));
    if (trace.is_null())
      doc.erase("trace");
    else
      doc["trace"] = trace;
    WriteFileAtomic(board_file, doc.dump(2) + "\n");
  }
  IntegrationPlan Plan() const {
    return PlanIntegration(LoadConfigModuleSource(board_file.string()), tree.root(),
                           tree.board_dir(), SourceDir());
  }
  std::string Read(const std::string& file) const { return ReadFile(tree.board_dir() / file); }
};

using tockctl::testing::ErrorText;

TEST(BoardIntegrationTest, TracerOnChangesMainLibAndCargoAsTheGoldenDiffSays) {
  IntegrationFixture f(nlohmann::ordered_json::parse(R"({"events": ["processes", "ipc"]})"));
  IntegrationPlan plan = f.Plan();
  std::string diff = FormatIntegrationDiff(plan, f.tree.root());
  std::string link = "link tockctl -> " + (SourceDir() / "kernel").lexically_normal().string();
  ASSERT_EQ(diff.substr(0, link.size() + 1), link + "\n");
  auto golden = SourceDir() / "tests" / "fixtures" / "integrate" / "tracer.diff";
  if (std::getenv("TOCKCTL_UPDATE_GOLDEN")) WriteFileAtomic(golden, diff.substr(link.size() + 1));
  EXPECT_EQ(diff.substr(link.size() + 1), ReadFile(golden));
  std::string before = f.Read("src/main.rs");
  ApplyIntegration(plan);
  EXPECT_NE(f.Read("src/main.rs"), before);
  EXPECT_TRUE(fs::is_symlink(f.tree.root() / "tockctl"));
  EXPECT_TRUE(fs::exists(f.tree.root() / "tockctl" / "tock-trace-tock" / "Cargo.toml"));
  EXPECT_TRUE(f.Plan().Empty()) << "a second run changes nothing";
}

// The catalog's trace.rust.ethernet puts TraceEthernet between the VirtIO-net adapter and the
// EthernetTap driver (eth0, interface 0), and main.rs hands it the tracer when the device is there.
TEST(BoardIntegrationTest, QemuGetsTheEthernetShimBetweenVirtioNetAndTheTap) {
  IntegrationFixture f(nlohmann::ordered_json::object());
  ApplyIntegration(f.Plan());
  std::string lib = f.Read("src/lib.rs");
  for (const char* line :
       {"pub type TracedEthernet = tock_trace_tock::TraceEthernet<'static, EthernetHw>;\n",
        "    virtio_ethernet_tap: Option<\n        &'static capsules_extra::ethernet_tap::"
        "EthernetTapDriver<'static, TracedEthernet>,\n    >,\n",
        "    pub traced_ethernet: Option<&'static TracedEthernet>,\n",
        "    let mut traced_ethernet: Option<&'static TracedEthernet> = None;\n"
        "    let virtio_ethernet_tap: Option<\n",
        "        rx_queue.set_client(virtio_net);\n\n",
        "        let ethernet_shim = static_init!(TracedEthernet, TracedEthernet::new(virtio_net, "
        "0));\n        ethernet_shim.attach();\n        traced_ethernet = Some(ethernet_shim);\n",
        "            EthernetTapDriver<'static, TracedEthernet>,\n"
        "            EthernetTapDriver::new(\n                ethernet_shim,\n",
        "        ethernet_shim.set_client(virtio_ethernet_tap);\n",
        "            virtio_ethernet_tap as &'static EthernetTapDriver<'static, TracedEthernet>,\n",
        "        virtio_ethernet_tap,\n        traced_ethernet,\n"})
    EXPECT_NE(lib.find(line), std::string::npos) << line << "\nin\n" << lib;
  EXPECT_EQ(lib.find("VirtIONet<'static, RiscvCoherentDmaFence>>"), std::string::npos)
      << "every EthernetTapDriver goes through the shim";
  EXPECT_NE(f.Read("src/main.rs")
                .find("    let traced_fault_policy = tockctl_config::"
                      "trace_fault_policy(&FAULT_RESPONSE, tracer);\n"
                      "    if let Some(traced_ethernet) = platform.base.traced_ethernet {\n"
                      "        traced_ethernet.set_tracer(tracer);\n    }\n"),
            std::string::npos);
  EXPECT_TRUE(f.Plan().Empty()) << "a second run changes nothing";
}

// Without an Ethernet interface in "network" the tap keeps the adapter; the tracer is wired.
TEST(BoardIntegrationTest, WithoutAnEthernetInterfaceTheTapIsLeftAlone) {
  IntegrationFixture f(nlohmann::ordered_json::object());
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(ReadFile(f.board_file));
  doc.erase("network");
  WriteFileAtomic(f.board_file, doc.dump(2) + "\n");
  std::string lib = f.Read("src/lib.rs");
  ApplyIntegration(f.Plan());
  EXPECT_EQ(f.Read("src/lib.rs").find("Ethernet"), lib.find("Ethernet"));
  EXPECT_EQ(f.Read("src/lib.rs").find("TracedEthernet"), std::string::npos);
  EXPECT_EQ(f.Read("src/main.rs").find("traced_ethernet"), std::string::npos);
  EXPECT_NE(f.Read("src/main.rs").find("tockctl_config::trace_setup("), std::string::npos);
}

// A run of lines to replace that the board does not have is named by its first and last line.
TEST(BoardIntegrationTest, AMissingEthernetAnchorIsRefusedAndNothingIsWritten) {
  IntegrationFixture f(nlohmann::ordered_json::object());
  f.tree.Replace("boards/qemu_rv32_virt/src/lib.rs",
                 "    let virtio_ethernet_tap: Option<\n        &'static",
                 "    let x: Option<\n    &");
  std::string lib = f.Read("src/lib.rs");
  EXPECT_EQ(ErrorText([&] { f.Plan(); }),
            (f.tree.board_dir() / "src" / "lib.rs").string() +
                ": boards/qemu_rv32_virt/src/lib.rs has no line `let virtio_ethernet_tap: "
                "Option< ... >,`, needed to put the tracer's Ethernet shim between the adapter "
                "and EthernetTap; nothing was changed; add the lines by hand (tockctl build "
                "--integrate --dry-run shows them on a board that has the line) or see "
                "docs/tracing-real-tock.md");
  EXPECT_EQ(f.Read("src/lib.rs"), lib);
  EXPECT_FALSE(fs::exists(fs::symlink_status(f.tree.root() / "tockctl")));
}

TEST(BoardIntegrationTest, TracerOffAddsOnlyTheModuleAndTockConfig) {
  IntegrationFixture f(nullptr);
  IntegrationPlan plan = f.Plan();
  ASSERT_EQ(plan.edits.size(), 2u);
  ApplyIntegration(plan);
  EXPECT_EQ(f.Read("Cargo.toml").find("tock-trace-tock"), std::string::npos);
  EXPECT_NE(f.Read("Cargo.toml").find("tock-config = { path = \"../../tockctl/tock-config\" }"),
            std::string::npos);
  EXPECT_NE(f.Read("src/main.rs").find("\nmod tockctl_config;\n"), std::string::npos);
  EXPECT_EQ(f.Read("src/main.rs").find("trace_setup"), std::string::npos);
  EXPECT_TRUE(f.Plan().Empty());
}

TEST(BoardIntegrationTest, AMissingAnchorIsRefusedAndNothingIsWritten) {
  IntegrationFixture f(nlohmann::ordered_json::object());
  f.tree.Replace("boards/qemu_rv32_virt/src/main.rs", "        &FAULT_RESPONSE,\n", "");
  std::string main_rs = f.Read("src/main.rs");
  std::string cargo = f.Read("Cargo.toml");
  fs::path main_path = f.tree.board_dir() / "src" / "main.rs";
  EXPECT_EQ(ErrorText([&] { f.Plan(); }),
            main_path.string() +
                ": boards/qemu_rv32_virt/src/main.rs has no line `&FAULT_RESPONSE,`, needed to "
                "hand the tracer's fault policy to load_processes; nothing was changed; add the "
                "lines by hand (tockctl build --integrate --dry-run shows them on a board that "
                "has the line) or see docs/tracing-real-tock.md");
  EXPECT_EQ(f.Read("src/main.rs"), main_rs);
  EXPECT_EQ(f.Read("Cargo.toml"), cargo);
  EXPECT_FALSE(fs::exists(fs::symlink_status(f.tree.root() / "tockctl")));
}

TEST(BoardIntegrationTest, AForeignTockctlDirectoryInTheTreeIsRefused) {
  IntegrationFixture f(nullptr);
  fs::create_directory(f.tree.root() / "tockctl");
  EXPECT_EQ(ErrorText([&] { f.Plan(); }),
            (f.tree.root() / "tockctl").string() +
                ": exists but does not hold tockctl's Rust crates; nothing was changed; remove or "
                "rename it, then run --integrate again (it links " +
                (SourceDir() / "kernel").lexically_normal().string() + " there)");
}

TEST(BoardIntegrationTest, ALinkOtherThanTheConsoleIsLeftToTheBoard) {
  IntegrationFixture f(nlohmann::ordered_json::parse(R"({"link": "uart", "device": "uart1"})"));
  EXPECT_EQ(ErrorText([&] { f.Plan(); }),
            f.board_file.string() +
                ": /trace/link: --integrate wires the tracer to the console's MuxUart only; link "
                "is \"uart\"; nothing was changed; call tockctl_config::trace_setup with a "
                "MuxUart on that link by hand (docs/tracing-real-tock.md), or use \"link\": "
                "\"console\"");
}

// tests/fixtures/integrate/nrf52840dk's files in boards/nordic/nrf52840dk of the fixture tree, and
// an nrf52840dk board file (docs/examples/build/nrf52840dk-trace.json: tracer on, wpan0).
struct Nrf52840dkFixture {
  testing::FixtureTree tree;
  fs::path board_dir = tree.root() / "boards" / "nordic" / "nrf52840dk";
  fs::path board_file = tree.temp().path() / "nrf.json";
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(
      ReadFile(SourceDir() / "docs" / "examples" / "build" / "nrf52840dk-trace.json"));

  Nrf52840dkFixture() {
    fs::create_directories(board_dir / "src");
    fs::path src = SourceDir() / "tests" / "fixtures" / "integrate" / "nrf52840dk";
    for (const char* f : {"main.rs", "lib.rs"}) fs::copy_file(src / f, board_dir / "src" / f);
    fs::copy_file(src / "Cargo.toml", board_dir / "Cargo.toml");
  }
  IntegrationPlan Plan() const {
    WriteFileAtomic(board_file, doc.dump(2) + "\n");
    return PlanIntegration(LoadConfigModuleSource(board_file.string()), tree.root(), board_dir,
                           SourceDir());
  }
  std::string Read(const std::string& file) const { return ReadFile(board_dir / file); }
};

TEST(BoardIntegrationTest, Nrf52840dkGetsTheRadioShimAsTheGoldenDiffSays) {
  Nrf52840dkFixture f;
  IntegrationPlan plan = f.Plan();
  std::string diff = FormatIntegrationDiff(plan, f.tree.root());
  std::string link = "link tockctl -> " + (SourceDir() / "kernel").lexically_normal().string();
  ASSERT_EQ(diff.substr(0, link.size() + 1), link + "\n");
  auto golden = SourceDir() / "tests" / "fixtures" / "integrate" / "nrf52840dk" / "radio.diff";
  if (std::getenv("TOCKCTL_UPDATE_GOLDEN")) WriteFileAtomic(golden, diff.substr(link.size() + 1));
  EXPECT_EQ(diff.substr(link.size() + 1), ReadFile(golden));
  ApplyIntegration(plan);
  EXPECT_NE(f.Read("src/lib.rs")
                .find("        TracedRadio::new(&nrf52840_peripherals."
                      "ieee802154_radio, 0)\n"),
            std::string::npos);
  EXPECT_NE(f.Read("src/main.rs")
                .find("    let traced_fault_policy = tockctl_config::"
                      "trace_fault_policy(&FAULT_RESPONSE, tracer);\n"
                      "    traced_radio.set_tracer(tracer);\n"),
            std::string::npos);
  EXPECT_TRUE(f.Plan().Empty()) << "a second run changes nothing";
}

TEST(BoardIntegrationTest, WithoutAn802154InterfaceTheRadioIsLeftAlone) {
  Nrf52840dkFixture f;
  auto& interfaces = f.doc["network"]["interfaces"];
  for (size_t i = 0; i < interfaces.size(); ++i)
    if (interfaces[i]["kind"] == "ieee802154") interfaces.erase(i--);
  ApplyIntegration(f.Plan());
  EXPECT_EQ(f.Read("src/lib.rs").find("TracedRadio"), std::string::npos);
  EXPECT_NE(f.Read("src/lib.rs").find("    pub uart_mux: "), std::string::npos);
  EXPECT_EQ(f.Read("src/main.rs").find("traced_radio"), std::string::npos);
  EXPECT_NE(f.Read("src/main.rs").find("tockctl_config::trace_setup("), std::string::npos);
}

TEST(BoardIntegrationTest, AMissingRadioAnchorIsRefusedAndNothingIsWritten) {
  Nrf52840dkFixture f;
  f.tree.Replace("boards/nordic/nrf52840dk/src/lib.rs",
                 "        &nrf52840_peripherals.ieee802154_radio,\n", "");
  std::string lib = f.Read("src/lib.rs");
  EXPECT_EQ(ErrorText([&] { f.Plan(); }),
            (f.board_dir / "src" / "lib.rs").string() +
                ": boards/nordic/nrf52840dk/src/lib.rs has no line "
                "`&nrf52840_peripherals.ieee802154_radio,`, needed to put the tracer's 802.15.4 "
                "shim between the radio and the MAC; nothing was changed; add the lines by hand "
                "(tockctl build --integrate --dry-run shows them on a board that has the line) or "
                "see docs/tracing-real-tock.md");
  EXPECT_EQ(f.Read("src/lib.rs"), lib);
  EXPECT_FALSE(fs::exists(fs::symlink_status(f.tree.root() / "tockctl")));
}

TEST(BoardIntegrationTest, DependencyLinesArePathsThroughTheLink) {
  EXPECT_EQ(CrateDependencyLine("tock-config", "/t", "/t/boards/nordic/nrf52840dk"),
            "tock-config = { path = \"../../../tockctl/tock-config\" }");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
