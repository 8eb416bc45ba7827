// The uf2 method's settings and where it writes.
#include "flasher/uf2_backend.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/flasher/test_helpers.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Capture;

TEST(Uf2BackendTest, FamilyComesFromTheMethodObject) {
  EXPECT_EQ(ParseUf2MethodFamily(
                nlohmann::ordered_json::parse(R"({"method":"uf2","family_id":"0xe48bff59"})")),
            0xe48bff59u);
  EXPECT_EQ(ParseUf2MethodFamily(
                nlohmann::ordered_json::parse(R"({"method":"uf2","family_id":"rp2040"})")),
            0xe48bff56u);
  auto e = Capture([] { ParseUf2MethodFamily(nlohmann::ordered_json::object()); });
  EXPECT_EQ(
      e.Describe(),
      "/family_id: the uf2 flash method needs \"family_id\"; add \"family_id\": \"0xe48bff56\" "
      "(RP2040) or \"0xe48bff59\" (RP2350 Arm)");
}

TEST(Uf2BackendTest, DestinationIsOutputOrBesideTheImage) {
  Uf2Settings s;
  s.image = "/work/build/kernel.elf";
  EXPECT_EQ(Uf2Destination(s), "/work/build/kernel.uf2");
  s.output = "/tmp/x.uf2";
  EXPECT_EQ(Uf2Destination(s), "/tmp/x.uf2");
  s.mount = "/media/me/RPI-RP2";
  EXPECT_EQ(Capture([&] { Uf2Destination(s); }).Describe(),
            "--output and --mount both say where the UF2 file goes; pass only one of them");
  Uf2Settings already;
  already.image = "kernel.uf2";
  EXPECT_EQ(Capture([&] { Uf2Destination(already); }).Describe(),
            "kernel.uf2 is already a UF2 file; copy it to the drive, or pass --mount DIR or "
            "--output FILE");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
