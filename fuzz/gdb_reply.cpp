// Fuzz target gdb_reply: a GDB server's replies, as the `gdb` flash back-end reads them: packet
// framing, acks and NAKs, checksums, run-length encoding, error replies, and what the back-end
// makes of them (qSupported features, target.xml, the memory map and vFlash* writes, X/M
// writes, qCRC and m read-back, P/g/G to set the PC). The back-end connects, writes one
// segment, and then verifies, reads back and starts as the input chooses. Input layout:
//   u8 flags: bit 0 the target frames each reply ("+$reply#xx"; replies separated by '\n'),
//             else the rest of the input is the raw byte stream from the server;
//             bit 1 the PC register is known; bit 2 verify; bit 3 read back; bit 4 start;
//   u8 window; u64 segment address; u16 segment size (at most 4096); then the replies.
// Checks: every failure is a proper tockctl::Error, nothing else escapes; after Connect the
// packet size is within its clamp and every flash region is sound.
#include <string>
#include <vector>

#include "flasher/gdb_remote_flasher.h"
#include "flasher/progress.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/scripted_link.h"

namespace tockctl::fuzz {
namespace {
namespace TOCKCTL_UNITY_ID {

std::vector<uint8_t> FramedReplies(InputReader& in) {
  std::vector<uint8_t> out;
  while (!in.empty()) {
    std::string packet = flasher::FramePacket(AsText(in.Until('\n')));
    out.push_back('+');
    out.insert(out.end(), packet.begin(), packet.end());
  }
  return out;
}

flasher::Segment MakeSegment(InputReader& in) {
  flasher::Segment s;
  s.address = in.U64();
  const size_t n = 1 + in.U16() % 4096;
  s.address = std::min<uint64_t>(s.address, ~uint64_t{0} - n);
  s.data.resize(n);
  for (size_t i = 0; i < n; ++i) s.data[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
  s.name = "PT_LOAD[0] (.text)";
  return s;
}

void Flash(flasher::GdbRemoteFlasher& flasher, const flasher::Segment& segment, uint8_t flags) {
  flasher::NullProgress progress;
  flasher.Connect(progress);
  const auto& f = flasher.features();
  FUZZ_CHECK(f.packet_size >= 64 && f.packet_size <= (1u << 20));
  for (const auto& r : f.flash_regions) FUZZ_CHECK(r.block_size > 0 && r.end() >= r.start);
  flasher.Write(segment, progress);
  if (flags & 0x04) (void)flasher.Verify(segment, progress);
  if (flags & 0x08) {
    auto bytes = flasher.Read(segment.address, segment.data.size());
    FUZZ_CHECK(bytes.size() == segment.data.size());
  }
  if (flags & 0x10) {
    flasher.Start(segment.address);
  } else {
    flasher.Disconnect();
  }
}

TOCKCTL_FUZZ_TARGET(gdb_reply) {
  using namespace tockctl;
  InputReader in(data, size);
  const uint8_t flags = in.U8();
  flasher::GdbFlasherOptions options;
  options.window = 1 + in.U8() % 16;
  if (flags & 0x02) options.layout = flasher::RegisterLayoutFor("rv32imac");
  const flasher::Segment segment = MakeSegment(in);
  std::vector<uint8_t> replies;
  if (flags & 0x01) {
    replies = FramedReplies(in);
  } else {
    auto rest = in.Rest();
    replies.assign(rest.begin(), rest.end());
  }
  auto script = std::make_shared<ReplyScript>(std::move(replies));
  flasher::GdbRemoteFlasher flasher([script] { return std::make_unique<ScriptedLink>(script); },
                                    options, QuietLogger());
  Accepted([&] { Flash(flasher, segment, flags); });
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::fuzz
