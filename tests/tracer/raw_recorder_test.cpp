#include "tracer/raw_recorder.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/support/test_support.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::CountingBytes;
using testing::TestLogger;
using ::tockctl::testing::TempDir;

// A source that plays back a script of results, copying the given bytes for kData.
class ScriptedSource : public ByteSource {
 public:
  struct Step {
    ReadStatus status;
    std::vector<uint8_t> bytes;
  };
  explicit ScriptedSource(std::vector<Step> steps) : steps_(std::move(steps)) {}
  ReadResult Read(std::span<uint8_t> buf, milliseconds) override {
    if (next_ == steps_.size()) return {ReadStatus::kEnd, 0, "script done"};
    const Step& s = steps_[next_++];
    std::copy(s.bytes.begin(), s.bytes.end(), buf.begin());
    return {s.status, s.bytes.size(), {}};
  }
  std::string Describe() const override { return "scripted"; }

 private:
  std::vector<Step> steps_;
  size_t next_ = 0;
};

std::vector<uint8_t> Drain(ByteSource& source) {
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    ReadResult r = source.Read(buf, milliseconds(0));
    if (r.status == ReadStatus::kEnd) return got;
    if (r.status == ReadStatus::kData) {
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(r.bytes));
    }
  }
}

TEST(RawRecorderTest, RecordsEveryByteExactlyAndPassesResultsThrough) {
  TempDir dir;
  auto a = CountingBytes(1000, 0);
  auto b = CountingBytes(65536, 3);
  std::vector<ScriptedSource::Step> steps = {{ReadStatus::kData, a},
                                             {ReadStatus::kTimeout, {}},
                                             {ReadStatus::kDisconnected, {}},
                                             {ReadStatus::kReconnected, {}},
                                             {ReadStatus::kData, b}};
  auto path = dir.path() / "rec.raw";
  RawRecorder recorder(std::make_unique<ScriptedSource>(steps), {.path = path}, TestLogger());
  std::vector<uint8_t> got = Drain(recorder);
  std::vector<uint8_t> want = a;
  want.insert(want.end(), b.begin(), b.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(recorder.bytes_recorded(), want.size());
  // Bytes are in the file as soon as Read returned them, before the recorder is destroyed.
  EXPECT_EQ(ReadBinaryFile(path), want);
  EXPECT_EQ(recorder.Describe(), "scripted, saving raw bytes to " + path.string());
}

TEST(RawRecorderTest, RefusesToOverwriteAnExistingFile) {
  TempDir dir;
  auto path = dir.Write("old.raw", "keep me");
  try {
    RawRecorder recorder(std::make_unique<ScriptedSource>(std::vector<ScriptedSource::Step>{}),
                         {.path = path}, TestLogger());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
    EXPECT_EQ(e.Describe(), path.string() + ": refusing to overwrite existing file " +
                                path.string() +
                                "; choose another file name for the raw recording, or remove the "
                                "file first");
  }
  EXPECT_EQ(ReadFile(path), "keep me");
}

TEST(RawRecorderTest, OverwritesWhenTold) {
  TempDir dir;
  auto path = dir.Write("old.raw", "old contents that are longer");
  {
    RawRecorder recorder(std::make_unique<ScriptedSource>(std::vector<ScriptedSource::Step>{
                             {ReadStatus::kData, {'n', 'e', 'w'}}}),
                         {.path = path, .overwrite = true}, TestLogger());
    Drain(recorder);
  }
  EXPECT_EQ(ReadFile(path), "new");
}

TEST(RawRecorderTest, MissingDirectoryIsAnIoError) {
  TempDir dir;
  auto path = dir.path() / "no" / "such" / "dir.raw";
  try {
    RawRecorder recorder(std::make_unique<ScriptedSource>(std::vector<ScriptedSource::Step>{}),
                         {.path = path}, TestLogger());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "cannot create raw recording " + path.string() + ": No such file or directory");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
