// Fuzz target tbf: ParseTbf (a Tock Binary Format app: base header, TLVs, credentials footers) on
// arbitrary bytes, and ReadInstalledApps (the kernel's walk through app flash) on the same bytes.
// Checks: bad input is refused with a proper tockctl::Error; an accepted TBF has header_size <=
// binary end <= total_size <= the input, is exactly total_size bytes, and written back with
// BuildTbf (which orders TLVs canonically) reads back to the same decoded fields.
#include "apps/tbf.h"

#include "apps/placement.h"
#include "fuzz/fuzz_support.h"

namespace {
namespace TOCKCTL_UNITY_ID {

// Apps found in app flash lie inside it, one after the other, none of them padding.
void CheckWalk(std::span<const uint8_t> input) {
  using namespace tockctl::apps;
  constexpr uint64_t kOrigin = 0x30000;
  std::vector<InstalledApp> apps;
  if (!tockctl::fuzz::Accepted([&] { apps = ReadInstalledApps(input, kOrigin, "flash"); })) return;
  uint64_t next = kOrigin;
  for (const InstalledApp& a : apps) {
    FUZZ_CHECK(a.address >= next);
    FUZZ_CHECK(a.bytes.size() == a.header.total_size);
    FUZZ_CHECK(a.address - kOrigin + a.bytes.size() <= input.size());
    FUZZ_CHECK(!a.header.IsPadding());
    next = a.address + a.bytes.size();
  }
}

TOCKCTL_FUZZ_TARGET(tbf) {
  using namespace tockctl::apps;
  std::span<const uint8_t> input(data, size);
  CheckWalk(input);
  TbfFile f;
  if (!tockctl::fuzz::Accepted([&] { f = ParseTbf(input, "fuzz"); })) return 0;
  const TbfHeader& h = f.header;
  FUZZ_CHECK(h.version == 2);
  FUZZ_CHECK(h.header_size >= kTbfBaseHeaderSize);
  FUZZ_CHECK(h.header_size <= h.BinaryEnd());
  FUZZ_CHECK(h.BinaryEnd() <= h.total_size);
  FUZZ_CHECK(h.total_size <= size);
  FUZZ_CHECK(f.bytes.size() == h.total_size);
  for (const std::string& finding : f.findings) FUZZ_CHECK(finding.find('\n') == std::string::npos);
  TbfBuild again;
  again.header = h;
  again.binary.assign(f.bytes.begin() + h.header_size, f.bytes.begin() + h.BinaryEnd());
  const auto rewritten = BuildTbf(again);
  TbfFile r;
  FUZZ_CHECK(tockctl::fuzz::Accepted([&] { r = ParseTbf(rewritten, "rewritten"); }));
  FUZZ_CHECK(r.header.Name() == h.Name());
  FUZZ_CHECK(r.header.flags == h.flags);
  FUZZ_CHECK(r.header.unknown_tlvs.size() == h.unknown_tlvs.size());
  FUZZ_CHECK(r.header.credentials.size() == h.credentials.size());
  FUZZ_CHECK(r.header.checksum == TbfChecksum(std::span(rewritten).first(r.header.header_size)));
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
