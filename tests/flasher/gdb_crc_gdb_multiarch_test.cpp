// Checks tockctl's qCRC variant against GDB itself: gdb-multiarch's compare-sections asks the stub
// for qCRC and compares with its own CRC of the ELF section. The stub answers with the reference
// CRC, so "matched" means GDB computes the same CRC-32 as tockctl.
#include <gtest/gtest.h>

#include "common/file_io.h"
#include "common/process.h"
#include "flasher/gdb_rsp.h"
#include "tests/flasher/fake_gdb_stub.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

ProcessResult CompareSections(const std::string& elf, uint16_t port) {
  ProcessSpec spec;
  spec.argv = {"gdb-multiarch",
               "-batch",
               "-nx",
               "-ex",
               "target remote 127.0.0.1:" + std::to_string(port),
               "-ex",
               "compare-sections",
               elf};
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  return runner.Run(spec);
}

TEST(GdbCrcAgainstGdbTest, GdbMultiarchAgreesWithOurCrc) {
  tockctl::testing::TempDir dir;
  tockctl::testing::ElfSpec spec;
  spec.entry = 0x80000000;
  std::vector<uint8_t> text(3000);
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<uint8_t>(i * 29 + 3);
  spec.segments = {{1, 0x80000000, 0, text, 0, ".text"}};
  auto elf = dir.path() / "k.elf";
  WriteFileAtomic(elf, tockctl::testing::BuildElf(spec));

  for (bool corrupt : {false, true}) {
    testing::FakeGdbStub stub({}, 0x80000000, 0x1000);
    std::copy(text.begin(), text.end(), stub.memory.begin());
    if (corrupt) stub.memory[100] ^= 1;
    EXPECT_EQ(GdbCrc32(std::span<const uint8_t>(stub.memory.data(), text.size())),
              testing::ReferenceCrc(stub.memory.data(), text.size()));
    testing::FakeStubServer server(stub);
    uint16_t port = testing::FakeStubServer::ListenTcp(server);
    ProcessResult r = CompareSections(elf.string(), port);
    server.Stop();
    std::string out = r.stdout_text + r.stderr_text;
    bool asked_crc = false;
    for (const auto& p : stub.packets) asked_crc |= p.rfind("qCRC:80000000,", 0) == 0;
    EXPECT_TRUE(asked_crc) << out;
    if (corrupt) {
      EXPECT_NE(out.find("MIS-MATCHED"), std::string::npos) << out;
    } else {
      EXPECT_NE(out.find("Section .text, range 0x80000000 -- 0x80000bb8: matched."),
                std::string::npos)
          << out;
    }
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
