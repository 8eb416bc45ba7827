#include "kernel/config_module.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "common/error.h"
#include "common/file_io.h"
#include "config/board_catalog.h"
#include "config/config_template.h"
#include "kernel/sha256.h"
#include "tests/kernel/rust_check.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::SourceDir;
using tockctl::testing::TempDir;

// The file `tockctl config init BOARD -o DIR/BOARD.json` writes.
std::filesystem::path InitFile(const TempDir& dir, const std::string& board) {
  auto path = dir.path() / (board + ".json");
  config::InitConfigFile(SourceDir(), board, path.string(), false);
  return path;
}

std::string Generate(const std::filesystem::path& board_file) {
  return RenderConfigModule(LoadConfigModuleSource(board_file.string()), SourceDir());
}

using tockctl::testing::ErrorText;

// Compares `text` with tests/fixtures/build/NAME.rs (TOCKCTL_UPDATE_GOLDEN=1 rewrites it).
void ExpectGoldenText(const std::string& text, const std::string& name) {
  auto golden = SourceDir() / "tests" / "fixtures" / "build" / (name + ".rs");
  if (std::getenv("TOCKCTL_UPDATE_GOLDEN")) WriteFileAtomic(golden, text);
  EXPECT_EQ(text, ReadFile(golden)) << "regenerate with TOCKCTL_UPDATE_GOLDEN=1 if intended";
}

void ExpectGolden(const std::string& board) {
  TempDir dir;
  ExpectGoldenText(Generate(InitFile(dir, board)), board);
}

// The module docs/examples/build/NAME.json generates, checked against its golden file.
std::string GoldenExample(const std::string& name) {
  std::string text = Generate(SourceDir() / "docs" / "examples" / "build" / (name + ".json"));
  ExpectGoldenText(text, name);
  return text;
}

TEST(ConfigModuleTest, GoldenQemuRv32Virt) { ExpectGolden("qemu_rv32_virt"); }
TEST(ConfigModuleTest, GoldenNrf52840dk) { ExpectGolden("nrf52840dk"); }

// docs/examples/build/qemu_rv32_virt-trace.json: the tracer's part, from the "trace" section and
// the catalog's trace.rust facts (compiled and rustfmt-checked with the other examples below).
TEST(ConfigModuleTest, GoldenTracerOnQemuRv32Virt) {
  std::string text = GoldenExample("qemu_rv32_virt-trace");
  EXPECT_NE(text.find("pub const TRACE_EVENT_LIST: [EventSet; 4] = [\n    EventSet::PROCESSES,\n"
                      "    EventSet::IPC,\n    EventSet::SYSCALLS,\n    EventSet::LOG,\n];\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("pub type TraceClock = qemu_rv32_virt_chip::chip::QemuRv32VirtClint<'static>;"),
      std::string::npos);
}

// The Ethernet interface on the catalog's trace.rust.ethernet (eth0 of
// docs/examples/build/qemu_rv32_virt-trace.json) is announced as TRACE_ETHERNET_INTERFACE, the
// interface the TraceEthernet shim records; an Ethernet interface before it moves it to 1, one on
// other hardware is still announced, inline.
TEST(ConfigModuleTest, TracedEthernetIsAnnouncedByNameAndNumberedInNetworkOrder) {
  auto source = LoadConfigModuleSource(
      (SourceDir() / "docs" / "examples" / "build" / "qemu_rv32_virt-trace.json").string());
  ASSERT_TRUE(TracedEthernet(source).has_value());
  EXPECT_EQ(TracedEthernet(source)->iface_id, 0u);
  EXPECT_EQ(TracedEthernet(source)->name, "eth0");
  std::string text = RenderConfigModule(source, SourceDir());
  EXPECT_NE(text.find("pub const TRACE_INTERFACES: [Interface<'static>; 1] = "
                      "[TRACE_ETHERNET_INTERFACE];\n\n"
                      "/// Interface 0 (eth0), recorded by the Ethernet shim: Ethernet II frames "
                      "(LINKTYPE 1).\n"
                      "pub const TRACE_ETHERNET_INTERFACE: Interface<'static> = Interface {\n"
                      "    iface_id: 0,\n"
                      "    kind: tock_trace_tock::tock_trace::IfaceKind::Ethernet,\n"
                      "    linktype: 1,\n    mtu: 1514,\n"),
            std::string::npos)
      << text;
  config::NetworkInterface other;
  other.name = "eth9";
  other.kind = config::NetworkKind::kEthernet;
  other.hardware = "eth9";
  other.mtu = 1500;
  source.network->interfaces.insert(source.network->interfaces.begin(), other);
  EXPECT_EQ(TracedEthernet(source)->iface_id, 1u);
  text = RenderConfigModule(source, SourceDir());
  EXPECT_NE(text.find("pub const TRACE_INTERFACES: [Interface<'static>; 2] = [\n"
                      "    Interface {\n        iface_id: 0,\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("        name: \"eth9\",\n    },\n    TRACE_ETHERNET_INTERFACE,\n];\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/// Interface 1 (eth0), recorded by the Ethernet shim"), std::string::npos);
  source.trace->enabled = false;
  EXPECT_FALSE(TracedEthernet(source).has_value());
  source.trace->enabled = true;
  source.network->interfaces.pop_back();
  EXPECT_FALSE(TracedEthernet(source).has_value());
  EXPECT_EQ(RenderConfigModule(source, SourceDir()).find("TRACE_ETHERNET"), std::string::npos);
}

// docs/examples/build/nrf52840dk-trace.json: the 802.15.4 interface on the catalog's
// trace.rust.radio is announced through the core's ieee802154_interface (compiled below).
TEST(ConfigModuleTest, GoldenTracerOnNrf52840dkAnnouncesTheRadio) {
  std::string text = GoldenExample("nrf52840dk-trace");
  EXPECT_NE(text.find("pub const TRACE_INTERFACES: [Interface<'static>; 1] = "
                      "[TRACE_RADIO_INTERFACE];\n\n"
                      "/// The long address HELLO gives 802.15.4 interface wpan0 (its \"eui64\").\n"
                      "pub const TRACE_RADIO_EUI64: [u8; 8] = "
                      "[0x1e, 0xa2, 0x73, 0x0f, 0xdc, 0x51, 0x56, 0x98];\n"
                      "/// Interface 0, recorded by the radio shim: 802.15.4 without FCS "
                      "(LINKTYPE 230).\n"
                      "pub const TRACE_RADIO_INTERFACE: Interface<'static> =\n"
                      "    tock_trace_tock::core_trace::ieee802154_interface(0, \"wpan0\", "
                      "TRACE_RADIO_EUI64);\n"),
            std::string::npos);
  EXPECT_NE(text.find("pub type TraceClock = nrf52840::rtc::Rtc<'static>;"), std::string::npos);
}

// The radio's interface comes after the Ethernet ones before it; a long name breaks the call's
// arguments as rustfmt does.
TEST(ConfigModuleTest, TracedRadioIsNumberedInNetworkOrderAndOnlyWhenConfigured) {
  auto source = LoadConfigModuleSource(
      (SourceDir() / "docs" / "examples" / "build" / "nrf52840dk-trace.json").string());
  ASSERT_TRUE(TracedRadio(source).has_value());
  EXPECT_EQ(TracedRadio(source)->iface_id, 0u);
  EXPECT_EQ(TracedRadio(source)->name, "wpan0");
  config::NetworkInterface eth;
  eth.name = "eth9";
  eth.kind = config::NetworkKind::kEthernet;
  source.network->interfaces.insert(source.network->interfaces.begin(), eth);
  EXPECT_EQ(TracedRadio(source)->iface_id, 1u);
  source.network->interfaces.back().name = std::string(40, 'w');
  std::string text = RenderConfigModule(source, SourceDir());
  EXPECT_NE(
      text.find("    tock_trace_tock::core_trace::ieee802154_interface(\n        1,\n        \"" +
                std::string(40, 'w') + "\",\n        TRACE_RADIO_EUI64,\n    );\n"),
      std::string::npos)
      << text;
  if (testing::HaveProgram("rustfmt")) {
    TempDir out;
    auto fmt = testing::RustfmtCheck({out.Write("long.rs", text)});
    EXPECT_TRUE(fmt.ok) << fmt.output;
  }
  source.trace->enabled = false;
  EXPECT_FALSE(TracedRadio(source).has_value());
  source.trace->enabled = true;
  source.network->interfaces.pop_back();
  EXPECT_FALSE(TracedRadio(source).has_value());
  EXPECT_EQ(RenderConfigModule(source, SourceDir()).find("TRACE_RADIO"), std::string::npos);
}

TEST(ConfigModuleTest, TracerOffIsOneConstant) {
  TempDir dir;
  std::string text = Generate(InitFile(dir, "qemu_rv32_virt"));
  EXPECT_NE(
      text.find("/// Tracer: off (\"enabled\": false).\npub const TRACE_ENABLED: bool = false;\n"),
      std::string::npos);
  EXPECT_EQ(text.find("tock_trace_tock"), std::string::npos);
}

TEST(ConfigModuleTest, TracerOnABoardWithoutTracerFactsIsRefused) {
  TempDir dir;
  auto path = InitFile(dir, "nrf52840_dongle");
  std::string text = ReadFile(path);
  text.replace(text.find("\"enabled\": false"), 16, "\"enabled\": true");
  WriteFileAtomic(path, text);
  EXPECT_EQ(ErrorText([&] { Generate(path); }),
            path.string() +
                ": /trace/enabled: the tracer is on, but board nrf52840_dongle has no tracer facts "
                "(board.trace.rust: chip, clock, platform, fault_policy, uart_mux, clock_ref) in "
                "the catalog; set \"enabled\": false, add the facts to the board, or wire the "
                "tracer by hand (docs/tracing-real-tock.md)");
}

TEST(ConfigModuleTest, HeaderNamesTheFileAndItsHash) {
  TempDir dir;
  auto file = InitFile(dir, "qemu_rv32_virt");
  std::string text = Generate(file);
  std::string sha = Sha256Hex(ReadFile(file));
  EXPECT_NE(text.find("// qemu_rv32_virt.json (board JSON file)\n// sha256 " + sha + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    sha256: \"" + sha + "\",\n"), std::string::npos);
}

TEST(ConfigModuleTest, CatalogBoardMatchesConfigInitFile) {
  TempDir dir;
  auto file = InitFile(dir, "nrf52840dk");
  ConfigModuleSource from_file = LoadConfigModuleSource(file.string());
  ConfigModuleSource from_catalog = CatalogConfigModuleSource(SourceDir(), "nrf52840dk");
  EXPECT_EQ(from_catalog.sha256, from_file.sha256);
  EXPECT_EQ(from_catalog.file_name, "nrf52840dk.json");
  EXPECT_TRUE(from_catalog.catalog_defaults);
  std::string text = RenderConfigModule(from_catalog, SourceDir());
  EXPECT_NE(text.find("(catalog board with `tockctl config init` defaults)"), std::string::npos);
}

TEST(ConfigModuleTest, GenerationIsDeterministic) {
  TempDir dir;
  auto file = InitFile(dir, "raspberry_pi_pico_w");
  EXPECT_EQ(Generate(file), Generate(file));
}

TEST(ConfigModuleTest, FileWithoutSectionsTurnsIpcOffAndHasNoInterfaces) {
  TempDir dir;
  auto catalog = SourceDir() / "boards" / "hail.json";
  auto file = dir.Write("hail.json", ReadFile(catalog));
  std::string text = Generate(file);
  EXPECT_NE(text.find("pub static IPC: IpcConfig = IpcConfig::DISABLED;\n"), std::string::npos);
  EXPECT_NE(text.find("pub static NETWORK: NetworkConfig = NetworkConfig::NONE;\n"),
            std::string::npos);
  EXPECT_NE(text.find("/// IPC: off (the board file has no \"ipc\" section).\n"),
            std::string::npos);
}

TEST(ConfigModuleTest, InvalidFileIsRefusedWithItsFirstError) {
  TempDir dir;
  auto file = InitFile(dir, "nrf52840dk");
  std::string text = ReadFile(file);
  auto at = text.find("\"backend\": \"copy\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "\"backend\": \"shared\"");
  WriteFileAtomic(file, text);
  std::string message = ErrorText([&] { LoadConfigModuleSource(file.string()); });
  EXPECT_EQ(message.substr(0, file.string().size()), file.string()) << message;
  EXPECT_NE(message.find(": /ipc/backend: "), std::string::npos) << message;
  EXPECT_NE(message.find("; the kernel configuration was not generated"), std::string::npos)
      << message;
  EXPECT_NE(message.find("run: tockctl config validate " + file.string()), std::string::npos)
      << message;
}

TEST(ConfigModuleTest, UnknownCatalogBoardSuggestsNames) {
  std::string message = ErrorText([] { CatalogConfigModuleSource(SourceDir(), "qemu_rv32"); });
  EXPECT_NE(message.find("qemu_rv32_virt"), std::string::npos) << message;
}

TEST(ConfigModuleTest, WriteIfChangedKeepsAnUnchangedFile) {
  TempDir dir;
  auto path = dir.path() / "tockctl_config.rs";
  EXPECT_TRUE(WriteIfChanged(path, "a\n"));
  struct timespec old_time[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), old_time, 0), 0);
  EXPECT_FALSE(WriteIfChanged(path, "a\n"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
  EXPECT_TRUE(WriteIfChanged(path, "b\n"));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(ReadFile(path), "b\n");
}

// Every catalog board with `config init` defaults, plus the examples in docs/examples/build/.
std::vector<std::filesystem::path> GenerateAll(const TempDir& boards, const TempDir& out) {
  std::vector<std::filesystem::path> modules;
  auto emit = [&](const std::string& name, const std::filesystem::path& board_file) {
    modules.push_back(out.Write(name + ".rs", Generate(board_file)));
  };
  auto catalog = config::BoardCatalog::Load(SourceDir() / "boards");
  for (const config::CatalogEntry* entry : catalog.Entries()) {
    auto board_json = config::JsonDocument::Load(entry->file).root().at("board");
    auto initial = config::BuildInitialConfig(board_json, entry->board, SourceDir() / "templates");
    emit(entry->board.name, boards.Write(entry->board.name + ".json", config::FormatJson(initial)));
  }
  for (const auto& entry :
       std::filesystem::directory_iterator(SourceDir() / "docs" / "examples" / "build"))
    if (entry.path().extension() == ".json")
      emit("example_" + entry.path().stem().string(), entry.path());
  return modules;
}

TEST(ConfigModuleTest, EveryCatalogBoardAndExampleCompilesWithRustc) {
  if (!testing::HaveProgram("rustc")) GTEST_SKIP() << "rustc is not installed";
  TempDir boards, out;
  auto modules = GenerateAll(boards, out);
  ASSERT_GT(modules.size(), 47u);
  auto run = testing::CompileAgainstTockConfig(out.path(), modules);
  EXPECT_TRUE(run.ok) << run.output;
}

// Random services, clients and interfaces with names of every length, to exercise each layout.
ConfigModuleSource RandomSource(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  auto names = [&](uint32_t max_count) {
    std::vector<std::string> out(pick(max_count + 1));
    uint32_t longest = pick(2) ? 8 : 24;  // 8: every quoted name is short enough to fill lines
    for (auto& n : out) n = std::string(1 + pick(longest), static_cast<char>('a' + pick(26)));
    return out;
  };
  auto apps = [&] {
    config::AppSelection s;
    s.all = pick(3) == 0;
    if (!s.all) s.apps = names(16);
    return s;
  };
  ConfigModuleSource source;
  source.board.name = "random" + std::to_string(seed);
  source.file_name = source.board.name + ".json";
  source.sha256 = std::string(64, '0');
  source.ipc.emplace();
  for (const auto& name : names(4)) {
    config::IpcService s;
    s.name = name;
    s.server = names(1).empty() ? "srv" : "server_" + name;
    s.allowed_clients = apps();
    source.ipc->services.push_back(s);
  }
  for (const auto& name : names(4)) source.ipc->clients.push_back({name, names(8), pick(2) == 1});
  source.network.emplace();
  for (const auto& name : names(3)) {
    config::NetworkInterface n;
    n.name = name;
    n.apps = apps();
    if (pick(2)) n.eui64 = std::vector<uint8_t>(8, static_cast<uint8_t>(pick(256)));
    if (pick(2)) n.service = name + "_svc";
    if (pick(2)) n.pan_id = pick(0xffff);
    source.network->interfaces.push_back(n);
  }
  return source;
}

TEST(ConfigModuleTest, RandomConfigurationsPassRustfmtCheckAndCompile) {
  if (!testing::HaveProgram("rustfmt") || !testing::HaveProgram("rustc"))
    GTEST_SKIP() << "rustfmt or rustc is not installed";
  TempDir out;
  std::vector<std::filesystem::path> modules;
  for (uint32_t seed = 1; seed <= 100; ++seed)
    modules.push_back(out.Write("random" + std::to_string(seed) + ".rs",
                                RenderConfigModule(RandomSource(seed), SourceDir())));
  auto fmt = testing::RustfmtCheck(modules);
  EXPECT_TRUE(fmt.ok) << fmt.output;
  auto build = testing::CompileAgainstTockConfig(out.path(), modules);
  EXPECT_TRUE(build.ok) << build.output;
}

TEST(ConfigModuleTest, EveryCatalogBoardAndExamplePassesRustfmtCheck) {
  if (!testing::HaveProgram("rustfmt")) GTEST_SKIP() << "rustfmt is not installed";
  TempDir boards, out;
  auto run = testing::RustfmtCheck(GenerateAll(boards, out));
  EXPECT_TRUE(run.ok) << run.output;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
