// Fuzz target tab_metadata: ParseTabMetadata (the minimal TOML reader of a TAB's metadata.toml)
// on arbitrary text. Checks: bad input is refused with a proper tockctl::Error with a line number;
// accepted metadata written back with WriteTabMetadata reads back to the same known keys.
#include "apps/tab_metadata.h"

#include "fuzz/fuzz_support.h"

namespace {
namespace TOCKCTL_UNITY_ID {

TOCKCTL_FUZZ_TARGET(tab_metadata) {
  using namespace tockctl::apps;
  const std::string text(reinterpret_cast<const char*>(data), size);
  TabMetadata m;
  try {
    m = ParseTabMetadata(text, "fuzz");
  } catch (const tockctl::Error& e) {
    tockctl::fuzz::CheckError(e);
    FUZZ_CHECK(e.context().line.has_value());
    return 0;
  }
  for (const auto& [key, value] : m.other) (void)TomlValueToJson(value);
  // The writer joins only-for-boards with commas, so compare only lists it can express.
  bool plain = true;
  for (const std::string& b : m.only_for_boards)
    plain = plain && !b.empty() && b.find(',') == std::string::npos && b.front() != ' ' &&
            b.back() != ' ';
  if (!plain) return 0;
  TabMetadata r;
  FUZZ_CHECK(tockctl::fuzz::Accepted([&] { r = ParseTabMetadata(WriteTabMetadata(m), "again"); }));
  FUZZ_CHECK(r.name == m.name);
  FUZZ_CHECK(r.tab_version == m.tab_version);
  FUZZ_CHECK(r.minimum_ram_size == m.minimum_ram_size);
  FUZZ_CHECK(r.KernelVersion() == m.KernelVersion());
  FUZZ_CHECK(r.only_for_boards == m.only_for_boards);
  FUZZ_CHECK(r.build_date == m.build_date);
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
