// The flash method table (config/flash_methods.h) and the back-end table
// (flasher/backend_registry.h) name the same methods, and every method a catalog board lists
// constructs from the board's own settings.
#include "flasher/backend_registry.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "common/process.h"
#include "config/board_catalog.h"
#include "config/flash_methods.h"
#include "tests/flasher/test_helpers.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Capture;
using testing::QuietLog;

TEST(BackendRegistry, EveryMethodHasOneBackendInTheSameOrder) {
  const auto& specs = config::FlashMethodSpecs();
  const auto& table = BackendTable();
  ASSERT_EQ(specs.size(), table.size());
  for (size_t i = 0; i < specs.size(); ++i) EXPECT_STREQ(specs[i].name, table[i].method);
}

TEST(BackendRegistry, MethodNamesAreUnique) {
  std::set<std::string> names(config::KnownFlashMethods().begin(),
                              config::KnownFlashMethods().end());
  EXPECT_EQ(names.size(), config::KnownFlashMethods().size());
}

BackendOptions OptionsFor(const config::HardwareBoard& board, const config::FlashMethod& method,
                          ProcessRunner& runner) {
  BackendOptions options;
  options.board = &board;
  options.method = method.method;
  options.method_settings = &method;
  options.image = "kernel.elf";
  options.log = QuietLog();
  options.runner = &runner;
  return options;
}

// Issue 15: "every catalog board's default flash method constructs". Every method a board lists
// is tried, the default among them; `external` is the one method that refuses by design.
TEST(BackendRegistry, EveryCatalogMethodConstructs) {
  // openocd's `tock_config` names a file of a Tock checkout; construction only needs to know where.
  ::setenv("TOCK_DIR", "/nonexistent/tock", 1);
  config::BoardCatalog catalog =
      config::BoardCatalog::Load(tockctl::testing::SourceDir() / "boards");
  ASSERT_GT(catalog.size(), 40u);
  PosixProcessRunner runner;
  size_t built = 0;
  for (const auto* entry : catalog.Entries()) {
    const config::HardwareBoard& board = entry->board;
    ASSERT_NE(board.FindFlashMethod(board.default_flash_method), nullptr) << board.name;
    for (const auto& method : board.flash_methods) {
      if (method.method == "external") continue;
      SCOPED_TRACE(board.name + " " + method.method);
      EXPECT_NO_THROW(CreateBackend(OptionsFor(board, method, runner)));
      ++built;
    }
  }
  EXPECT_GT(built, 60u);
}

TEST(BackendRegistry, ExternalNamesTheBoardsToolAndExits7) {
  config::BoardCatalog catalog =
      config::BoardCatalog::Load(tockctl::testing::SourceDir() / "boards");
  const config::HardwareBoard& board = catalog.Find("earlgrey-cw310");
  PosixProcessRunner runner;
  Error e = Capture(
      [&] { CreateBackend(OptionsFor(board, *board.FindFlashMethod("external"), runner)); });
  EXPECT_EQ(ExitCodeFor(e.category()), 7);
  EXPECT_EQ(e.Describe(),
            "earlgrey-cw310 is flashed with opentitantool, which tockctl does not run; run it "
            "yourself: opentitantool --interface=cw310 bootstrap <bin> (from $(OPENTITAN_TREE))");
}

TEST(BackendRegistry, UnknownMethodListsTheTable) {
  config::HardwareBoard board;
  board.name = "x";
  PosixProcessRunner runner;
  BackendOptions options;
  options.board = &board;
  options.method = "opnocd";
  options.log = QuietLog();
  options.runner = &runner;
  Error e = Capture([&] { CreateBackend(options); });
  EXPECT_EQ(e.Describe(), "unknown flash method `opnocd`; use one of: " + KnownMethods());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
