#include "kernel/elf_file.h"

#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/kernel/fixture_tree.h"

namespace tockctl::kernel {
namespace {

using testing::FixtureTree;

class ElfFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tree_ = new FixtureTree();
    ASSERT_EQ(tree_->Make(), 0);
    bytes_ = new std::vector<uint8_t>(ReadBinaryFile(tree_->release_elf()));
  }
  static void TearDownTestSuite() {
    delete bytes_;
    delete tree_;
  }
  static FixtureTree* tree_;
  static std::vector<uint8_t>* bytes_;
};

FixtureTree* ElfFileTest::tree_ = nullptr;
std::vector<uint8_t>* ElfFileTest::bytes_ = nullptr;

TEST_F(ElfFileTest, ReadsSectionsWithLoadAddresses) {
  ElfFile elf = ParseElfFile(*bytes_, "kernel");
  EXPECT_FALSE(elf.is64);
  EXPECT_EQ(MachineName(elf.machine), "RISC-V");
  EXPECT_EQ(elf.entry, 0x80000000u);
  const ElfSection* text = elf.FindSection(".text");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->address, 0x80000000u);
  EXPECT_EQ(text->load_address, 0x80000000u);
  EXPECT_TRUE(text->executable());
  const ElfSection* relocate = elf.FindSection(".relocate");
  ASSERT_NE(relocate, nullptr);
  EXPECT_EQ(relocate->address, 0x80202000u);
  EXPECT_EQ(relocate->load_address, *elf.Symbol("_etext"));
  EXPECT_TRUE(relocate->writable());
  const ElfSection* stack = elf.FindSection(".stack");
  ASSERT_NE(stack, nullptr);
  EXPECT_FALSE(stack->has_contents());
  EXPECT_EQ(stack->size, 0x2000u);
}

TEST_F(ElfFileTest, ReadsTockLayoutSymbols) {
  ElfFile elf = ParseElfFile(*bytes_, "kernel");
  EXPECT_EQ(elf.Symbol("_sstack"), 0x80200000u);
  EXPECT_EQ(elf.Symbol("_estack"), 0x80202000u);
  EXPECT_EQ(elf.Symbol("_sapps"), 0x80100000u);
  EXPECT_EQ(elf.Symbol("_eapps"), 0x80200000u);
  EXPECT_EQ(elf.Symbol("_sappmem"), 0x80203000u);
  EXPECT_EQ(elf.Symbol("_eappmem"), 0x80400000u);
  EXPECT_EQ(elf.Symbol("STACK_SIZE"), 0x2000u);
  EXPECT_FALSE(elf.Symbol("_no_such_symbol").has_value());
}

TEST_F(ElfFileTest, BadMagicIsNamed) {
  std::vector<uint8_t> bytes = *bytes_;
  bytes[1] = 'X';
  try {
    ParseElfFile(bytes, "kernel.elf");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "kernel.elf: offset 0: not an ELF file (bad magic)");
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  }
}

TEST_F(ElfFileTest, SectionPastTheEndIsRejected) {
  std::vector<uint8_t> bytes(bytes_->begin(), bytes_->begin() + 0x1010);  // cuts into .text
  EXPECT_THROW(ParseElfFile(bytes, "cut.elf"), Error);
}

// Every prefix of a real ELF either parses or fails with tockctl's Error, never anything else.
TEST_F(ElfFileTest, TruncationsFailCleanly) {
  for (size_t n = 0; n < bytes_->size(); n += (n < 256 ? 1 : 61)) {
    std::span<const uint8_t> prefix(bytes_->data(), n);
    try {
      ParseElfFile(prefix, "cut.elf");
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput) << n;
    }
  }
}

// Random corruption of header bytes: parsing either works or throws Error (fuzz-style).
TEST_F(ElfFileTest, CorruptedHeadersFailCleanly) {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> bytes = *bytes_;
    for (int k = 0; k < 4; ++k) {
      size_t at = round % 2 ? rng() % 256 : rng() % bytes.size();
      bytes[at] = static_cast<uint8_t>(rng());
    }
    try {
      ParseElfFile(bytes, "fuzz.elf");
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    }
  }
}

}  // namespace
}  // namespace tockctl::kernel
