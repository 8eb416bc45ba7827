#include "flasher/gdb_memory_map.h"

#include <gtest/gtest.h>

#include <random>

#include "common/error.h"

namespace tockctl::flasher {
namespace {

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

TEST(GdbMemoryMapTest, TruncatedAndMutatedMapsNeverCrash) {
  std::string map = kOpenOcdMap;
  for (size_t n = 0; n < map.size(); ++n) {
    try {
      ParseGdbMemoryMap(map.substr(0, n));
    } catch (const Error&) {
    }
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string m = map;
    for (int e = 0; e < 4; ++e) m[rng() % m.size()] = "<>\"'=x0f \n"[rng() % 10];
    try {
      ParseGdbMemoryMap(m);
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace tockctl::flasher
