#include "flasher/gdb_memory_map.h"

#include <gtest/gtest.h>

#include <random>

#include "common/error.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

// As OpenOCD sends it for an STM32F4 (abridged).
const char* kOpenOcdMap =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" "
    "\"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n"
    "<memory-map>\n"
    "<memory type=\"ram\" start=\"0x0\" length=\"0x8000000\"/>\n"
    "<memory type=\"flash\" start=\"0x08000000\" length=\"0x10000\">\n"
    "<property name=\"blocksize\">0x4000</property>\n"
    "</memory>\n"
    "<memory type=\"flash\" start=\"0x08010000\" length=\"0x10000\">\n"
    "<property name=\"blocksize\">0x10000</property>\n"
    "</memory>\n"
    "<memory type='ram' start='0x08020000' length='0xf7fe0000'/>\n"
    "</memory-map>\n";

std::string ErrorOf(const std::string& xml) {
  try {
    ParseGdbMemoryMap(xml);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    return e.Describe();
  }
  return "no error";
}

TEST(GdbMemoryMapTest, ReadsFlashRegionsAndBlockSizes) {
  auto regions = ParseGdbMemoryMap(kOpenOcdMap);
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(regions[0].start, 0x08000000u);
  EXPECT_EQ(regions[0].length, 0x10000u);
  EXPECT_EQ(regions[0].block_size, 0x4000u);
  EXPECT_EQ(regions[1].block_size, 0x10000u);
  EXPECT_TRUE(ParseGdbMemoryMap("<memory-map></memory-map>").empty());
}

TEST(GdbMemoryMapTest, RejectsBrokenFlashRegions) {
  EXPECT_EQ(ErrorOf("<memory type=\"flash\" start=\"0x0\" length=\"0x100\"></memory>"),
            "the gdb server's memory map is malformed: flash region without blocksize");
  EXPECT_EQ(ErrorOf("<memory type=\"flash\" start=\"zero\" length=\"0x100\"><property "
                    "name=\"blocksize\">1</property></memory>"),
            "the gdb server's memory map is malformed: start `zero` is not a number");
  // Escaped, so the message stays on one line (found by fuzz/gdb_memory_map).
  EXPECT_EQ(ErrorOf("<memory type=\"flash\" start=\"0\" length=\"0x100\"><property "
                    "name=\"blocksize\">1\n2</property></memory>"),
            "the gdb server's memory map is malformed: blocksize `1\\x0a2` is not a number");
  EXPECT_EQ(ErrorOf("<memory type=\"flash\" start=\"0xffffffffffffff00\" length=\"0x1000\">"
                    "<property name=\"blocksize\">0x100</property></memory>"),
            "the gdb server's memory map is malformed: flash region wraps past 2^64");
  EXPECT_EQ(ErrorOf("<memory type=\"flash\" start=\"0\" length=\"0x100\"><property "
                    "name=\"blocksize\">0</property></memory>"),
            "the gdb server's memory map is malformed: flash region with blocksize 0");
}

// What any input must give: regions that make sense, or the one documented error.
struct Outcome {
  bool parsed = false;
  size_t regions = 0;
};

Outcome CheckedParse(const std::string& xml) {
  try {
    const auto regions = ParseGdbMemoryMap(xml);
    for (const auto& r : regions) {
      EXPECT_GT(r.block_size, 0u) << xml;
      EXPECT_GE(r.start + r.length, r.start) << "region wraps: " << xml;
    }
    return {true, regions.size()};
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport) << xml;
    EXPECT_EQ(e.Describe().rfind("the gdb server's memory map is malformed: ", 0), 0u)
        << e.Describe();
    EXPECT_EQ(e.Describe().find('\n'), std::string::npos) << e.Describe();
    return {};
  }
}

TEST(GdbMemoryMapTest, TruncatedMapsGiveWholeRegionsOrTheMalformedError) {
  const std::string map = kOpenOcdMap;
  const size_t first_flash = map.find("<memory type=\"flash\"");
  const size_t first_flash_end = map.find("</memory>", first_flash) + 9;
  size_t parsed = 0;
  for (size_t n = 0; n < map.size(); ++n) {
    const Outcome o = CheckedParse(map.substr(0, n));
    parsed += o.parsed ? 1 : 0;
    if (n <= first_flash) {
      EXPECT_EQ(o.regions, 0u) << n;  // no flash element yet: no region, parsed or refused
    }
    if (n >= first_flash_end && o.parsed) {
      EXPECT_GE(o.regions, 1u) << n;
    }
    EXPECT_LE(o.regions, 2u) << n;
  }
  EXPECT_GT(parsed, 0u);                     // some prefixes parse
  EXPECT_LT(parsed, map.size());             // and cut flash elements are refused
  EXPECT_EQ(CheckedParse(map).regions, 2u);  // the whole map still reads
}

TEST(GdbMemoryMapTest, MutatedMapsGiveSaneRegionsOrTheMalformedError) {
  const std::string map = kOpenOcdMap;
  std::mt19937 rng(7);
  size_t parsed = 0;
  size_t refused = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string m = map;
    for (int e = 0; e < 4; ++e) m[rng() % m.size()] = "<>\"'=x0f \n"[rng() % 10];
    (CheckedParse(m).parsed ? parsed : refused) += 1;
  }
  EXPECT_GT(parsed, 0u);   // the mutations leave some maps readable
  EXPECT_GT(refused, 0u);  // and break others, which are refused with the error
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
