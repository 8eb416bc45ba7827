// Fuzz target tab: ReadAppBundle (a TAB: ustar archive with metadata.toml and TBFs, or a bare
// TBF) and ReadTar on arbitrary bytes. Checks: bad input is refused with a proper tockctl::Error;
// every tar entry lies inside the input; an accepted TAB holds at least one TBF, each no larger
// than the input; entries written back with WriteTar read back to the same names and contents.
#include "apps/tab.h"

#include "apps/tar_archive.h"
#include "fuzz/fuzz_support.h"

namespace {
namespace TOCKCTL_UNITY_ID {

TOCKCTL_FUZZ_TARGET(tab) {
  using namespace tockctl::apps;
  std::span<const uint8_t> input(data, size);
  std::vector<TarEntry> entries;
  if (tockctl::fuzz::Accepted([&] { entries = ReadTar(input, "fuzz"); })) {
    for (const TarEntry& e : entries) FUZZ_CHECK(e.offset + 512 + e.data.size() <= size);
    bool fits = true;
    for (const TarEntry& e : entries) fits = fits && e.name.size() <= 100 && !e.name.empty();
    if (fits) {
      const auto again = ReadTar(WriteTar(entries), "rewritten");
      FUZZ_CHECK(again.size() == entries.size());
      for (size_t i = 0; i < again.size(); ++i) {
        FUZZ_CHECK(again[i].name == entries[i].name);
        FUZZ_CHECK(again[i].data == entries[i].data);
      }
    }
  }
  AppBundle b;
  if (!tockctl::fuzz::Accepted([&] { b = ReadAppBundle(input, "fuzz"); })) return 0;
  FUZZ_CHECK(!b.tbfs.empty());
  for (const TabTbf& t : b.tbfs) FUZZ_CHECK(t.tbf.bytes.size() <= size);
  (void)b.Name();
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
