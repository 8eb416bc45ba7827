#include "common/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/error.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::TempDir;

using tockctl::testing::ErrorText;

TEST(FileIoTest, ReadsAFile) {
  TempDir dir;
  auto p = dir.Write("a.txt", "hello");
  EXPECT_EQ(ReadFile(p), "hello");
}

TEST(FileIoTest, MissingFileAndDirectoryGetClearErrors) {
  TempDir dir;
  EXPECT_EQ(ErrorText([&] { ReadFile(dir.path() / "nope.json"); }),
            (dir.path() / "nope.json").string() + ": no such file");
  EXPECT_EQ(ErrorText([&] { ReadFile(dir.path()); }),
            dir.path().string() + ": is a directory, expected a file");
}

TEST(FileIoTest, SizeLimit) {
  TempDir dir;
  auto p = dir.Write("big", std::string(100, 'x'));
  EXPECT_EQ(ErrorText([&] { ReadFile(p, 10); }),
            p.string() + ": file is 100 bytes, more than the limit of 10");
}

TEST(FileIoTest, AtomicWriteReplacesAndKeepsMode) {
  TempDir dir;
  auto p = dir.Write("c.json", "old");
  ::chmod(p.c_str(), 0600);
  WriteFileAtomic(p, std::string_view("new"));
  EXPECT_EQ(ReadFile(p), "new");
  struct stat st {};
  ::stat(p.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(FileIoTest, ReadOnlyTargetIsRefusedAndUntouched) {
  TempDir dir;
  auto p = dir.Write("ro.json", "keep");
  ::chmod(p.c_str(), 0444);
  EXPECT_EQ(ErrorText([&] { WriteFileAtomic(p, std::string_view("x")); }),
            p.string() + ": is read-only; make it writable (chmod u+w) or write elsewhere");
  EXPECT_EQ(ReadFile(p), "keep");
}

TEST(FileIoTest, MissingParentDirectoryIsAnIoError) {
  TempDir dir;
  auto p = dir.path() / "no" / "such" / "x.json";
  try {
    WriteFileAtomic(p, std::string_view("x"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
