// Fuzz target bootloader_reply: replies of Tock's serial bootloader, as the `tock-bootloader`
// flash method reads them: the 0xFC-escaped framing, reply codes (expected, error, unknown),
// truncation, retries, the INFO JSON block, attribute slots, READ_RANGE data and CRCs. Input:
//   u8 flags: bit 0 run the flash back-end (connect, write one segment, verify, read, start),
//             else call client commands one by one; bits 1-2 attempts per command (1-3);
//             bit 3 ask for a faster baud rate; bit 4 skip all-zero pages; bit 5 store a start
//             address before leaving;
//   back-end: u32 segment address, u16 segment size (at most 4096);
//   commands: u8 count, then per command u8 which, u32 argument;
//   then the bytes the bootloader sends.
// Checks: every failure is a proper tockctl::Error; READ_RANGE returns exactly the bytes asked
// for; attribute slots decode to a 1-8 byte key and a 1-55 byte value.
#include <string>
#include <vector>

#include "flasher/progress.h"
#include "flasher/tock_bootloader_backend.h"
#include "flasher/tock_bootloader_protocol.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/scripted_link.h"

namespace tockctl::fuzz {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace flasher;

class NoPorts : public SerialPortLister {
 public:
  std::vector<SerialPortInfo> ListSerialPorts() override { return {}; }
};

// Pages that are data, all 0xFF and all zero, so writing takes every path (write, erase, skip).
Segment MakeSegment(InputReader& in) {
  Segment s;
  s.address = in.U32();
  const size_t n = 1 + in.U16() % 4096;
  s.data.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t page = (s.address + i) / kBootloaderPageSize;
    s.data[i] = page % 3 == 0 ? static_cast<uint8_t>(i) : page % 3 == 1 ? 0xFF : 0x00;
  }
  s.name = "PT_LOAD[0] (.text)";
  return s;
}

void RunBackend(InputReader& in, uint8_t flags, BootloaderTimeouts timeouts) {
  TockBootloaderSettings settings;
  settings.port = "/dev/ttyACM0";
  settings.timeouts = timeouts;
  settings.timings = {std::chrono::milliseconds(0), std::chrono::milliseconds(0), 1,
                      std::chrono::milliseconds(0), std::chrono::milliseconds(0), 2};
  settings.entry = BootloaderEntry::kAuto;
  if (flags & 0x08) settings.fast_baud = 921600;
  settings.skip_zero_pages = flags & 0x10;
  if (flags & 0x20) settings.start_address = 0x40000;
  const Segment segment = MakeSegment(in);
  auto rest = in.Rest();
  auto script = std::make_shared<ReplyScript>(std::vector<uint8_t>(rest.begin(), rest.end()));
  TockBootloaderBackend backend(
      settings,
      [script](const std::string&, uint32_t) {
        return std::make_unique<ScriptedSerialLink>(script);
      },
      std::make_shared<NoPorts>(), QuietLogger());
  NullProgress progress;
  Accepted([&] {
    backend.Connect(progress);
    backend.Write(segment, progress);
    (void)backend.Verify(segment, progress);
    FUZZ_CHECK(backend.Read(segment.address, segment.data.size()).size() == segment.data.size());
    backend.Start(segment.address);
  });
}

void RunCommand(TockBootloaderClient& client, uint8_t which, uint32_t arg) {
  switch (which % 12) {
    case 0:
      (void)client.TryPing();
      return;
    case 1:
      client.Ping();
      return;
    case 2:
      (void)client.Info();
      return;
    case 3:
      (void)client.Id();
      return;
    case 4:
      client.ErasePage(arg & ~511u);
      return;
    case 5: {
      std::vector<uint8_t> page(kBootloaderPageSize, static_cast<uint8_t>(arg));
      client.WritePage(arg & ~511u, page);
      return;
    }
    case 6: {
      const uint32_t length = arg % 9000;
      FUZZ_CHECK(client.ReadRange(arg, length).size() == length);
      return;
    }
    case 7: {
      const uint8_t value[3] = {1, 2, 3};
      client.SetAttribute(static_cast<int>(arg % 16), "board", value);
      return;
    }
    case 8: {
      BootloaderAttribute a = client.GetAttribute(static_cast<int>(arg % 16));
      if (a.present) {
        FUZZ_CHECK(!a.key.empty() && a.key.size() <= 8);
        FUZZ_CHECK(!a.value.empty() && a.value.size() <= kBootloaderAttributeMaxValue);
      }
      return;
    }
    case 9:
      (void)client.CrcInternalFlash(arg, arg >> 8);
      return;
    case 10:
      (void)client.ChangeBaudRate(115200, 230400);
      return;
    default:
      client.SetStartAddress(arg);
      return;
  }
}

void RunCommands(InputReader& in, BootloaderTimeouts timeouts) {
  std::vector<std::pair<uint8_t, uint32_t>> commands(in.U8() % 16);
  for (auto& c : commands) c = {in.U8(), in.U32()};
  auto rest = in.Rest();
  auto script = std::make_shared<ReplyScript>(std::vector<uint8_t>(rest.begin(), rest.end()));
  ScriptedSerialLink link(script);
  TockBootloaderClient client(link, timeouts, QuietLogger());
  for (const auto& command : commands)
    Accepted([&] { RunCommand(client, command.first, command.second); });
}

TOCKCTL_FUZZ_TARGET(bootloader_reply) {
  using namespace tockctl;
  InputReader in(data, size);
  const uint8_t flags = in.U8();
  flasher::BootloaderTimeouts timeouts;
  timeouts.attempts = 1 + (flags >> 1) % 4 % 3;
  if (flags & 0x01) {
    RunBackend(in, flags, timeouts);
  } else {
    RunCommands(in, timeouts);
  }
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::fuzz
