#include "config/config_editor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using Json = nlohmann::ordered_json;

std::string UsageMessage(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    return e.Describe();
  }
  return "no error";
}

TEST(ConfigEditorTest, GetFollowsPointersAndListsWhatExists) {
  JsonDocument doc = JsonDocument::Parse(R"({"a": {"b/c": [10, 20]}, "x": 1})", "t.json");
  EXPECT_EQ(GetValue(doc, "/a/b~1c/1"), 20);
  EXPECT_EQ(GetValue(doc, ""), doc.root());
  EXPECT_EQ(UsageMessage([&] { GetValue(doc, "/a/nope/z"); }),
            "/a/nope/z: no value at /a/nope; /a has: b/c");
  EXPECT_EQ(UsageMessage([&] { GetValue(doc, "/a/b~1c/2"); }),
            "/a/b~1c/2: no value at /a/b~1c/2; /a/b~1c has: 0..1");
  EXPECT_EQ(UsageMessage([&] { GetValue(doc, "/q"); }), "/q: no value at /q; / has: a, x");
  EXPECT_EQ(
      UsageMessage([&] { GetValue(doc, "a"); }),
      "malformed JSON pointer \"a\"; a pointer is empty or starts with '/', e.g. /ipc/backend");
}

TEST(ConfigEditorTest, ValueArgumentIsJsonElseString) {
  EXPECT_EQ(ParseValueArgument("42"), 42);
  EXPECT_EQ(ParseValueArgument("true"), true);
  EXPECT_EQ(ParseValueArgument("[\"a\"]"), Json::array({"a"}));
  EXPECT_EQ(ParseValueArgument("\"copy\""), "copy");
  EXPECT_EQ(ParseValueArgument("copy"), "copy");
  EXPECT_EQ(ParseValueArgument("0x40000"), "0x40000");
  EXPECT_EQ(ParseValueArgument(""), "");
  EXPECT_THROW(ParseValueArgument(std::string(65, '[') + std::string(65, ']')), tockctl::Error);
}

TEST(ConfigEditorTest, SetCreatesObjectsReplacesAndAppends) {
  Json root = Json::parse(R"({"ipc": {"services": [{"name": "a"}]}})");
  SetValue(root, "/ipc/backend", "copy");
  SetValue(root, "/ipc/fault_policy/server_fault", "reconnect");
  SetValue(root, "/ipc/services/0/name", "b");
  SetValue(root, "/ipc/services/-", Json{{"name", "c"}});
  SetValue(root, "/ipc/services/2", Json{{"name", "d"}});
  EXPECT_EQ(root.dump(),
            R"({"ipc":{"services":[{"name":"b"},{"name":"c"},{"name":"d"}],"backend":"copy",)"
            R"("fault_policy":{"server_fault":"reconnect"}}})");
  EXPECT_EQ(UsageMessage([&] { SetValue(root, "/ipc/services/7", 1); }),
            "/ipc/services/7: no element 7 in the array; valid indexes: 0..2, or - to append");
  EXPECT_EQ(UsageMessage([&] { SetValue(root, "/ipc/backend/x", 1); }),
            "/ipc/backend/x: /ipc/backend is a string, not an object or array");
  EXPECT_EQ(UsageMessage([&] { SetValue(root, "", 1); }),
            "cannot replace the whole document; a pointer below /");
}

TEST(ConfigEditorTest, UnsetRemovesMembersAndElements) {
  Json root = Json::parse(R"({"a": [1, 2, 3], "b": {"c": 1, "d": 2}})");
  UnsetValue(root, "/a/1");
  UnsetValue(root, "/b/c");
  EXPECT_EQ(root.dump(), R"({"a":[1,3],"b":{"d":2}})");
  EXPECT_EQ(UsageMessage([&] { UnsetValue(root, "/b/zz"); }),
            "/b/zz: no value at /b/zz; /b has: d");
  EXPECT_EQ(UsageMessage([&] { UnsetValue(root, "/q/zz"); }), "/q/zz: no value at /q");
  EXPECT_EQ(UsageMessage([&] { UnsetValue(root, ""); }),
            "cannot remove the whole document; a pointer below /");
}

class EditFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Write("board.json", FormatJson(testing::BoardFile(
                                         "nrf52840dk", Json::parse(R"({"backend": "copy"})"))))
                .string();
    before_ = ReadFile(path_);
  }
  tockctl::testing::TempDir dir_;
  std::string path_;
  std::string before_;
};

TEST_F(EditFileTest, ValidEditIsWrittenKeepingOrder) {
  EditOutcome r =
      EditConfigFile(path_, false, [](Json& j) { SetValue(j, "/ipc/backend", "auto"); });
  EXPECT_TRUE(r.written);
  EXPECT_TRUE(r.introduced.empty());
  std::string after = ReadFile(path_);
  Json j = Json::parse(after);
  EXPECT_EQ(j["ipc"]["backend"], "auto");
  EXPECT_EQ(j.begin().key(), "format");
  EXPECT_EQ(r.report.WarningCount(), 1);  // auto falls back to copy on ARMv7-M
}

TEST_F(EditFileTest, EditAddingAnErrorIsRefusedAndLeavesTheBytes) {
  EditOutcome r =
      EditConfigFile(path_, false, [](Json& j) { SetValue(j, "/ipc/backend", "shared"); });
  EXPECT_FALSE(r.written);
  ASSERT_EQ(r.introduced.size(), 1u);
  EXPECT_EQ(r.introduced[0].pointer, "/ipc/backend");
  EXPECT_EQ(ReadFile(path_), before_);
}

TEST_F(EditFileTest, ForceWritesAnInvalidEdit) {
  EditOutcome r =
      EditConfigFile(path_, true, [](Json& j) { SetValue(j, "/ipc/backend", "shared"); });
  EXPECT_TRUE(r.written);
  EXPECT_EQ(r.introduced.size(), 1u);
  EXPECT_EQ(Json::parse(ReadFile(path_))["ipc"]["backend"], "shared");
}

TEST_F(EditFileTest, ExistingErrorsDoNotBlockOtherEdits) {
  EditConfigFile(path_, true, [](Json& j) { SetValue(j, "/ipc/backend", "shared"); });
  EditOutcome r =
      EditConfigFile(path_, false, [](Json& j) { SetValue(j, "/ipc/copy_threshold", 64); });
  EXPECT_TRUE(r.written);
  EXPECT_TRUE(r.introduced.empty());
  EXPECT_EQ(r.report.ErrorCount(), 1);
}

TEST_F(EditFileTest, ReadOnlyFileIsAnIoErrorAndUnchanged) {
  ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
  try {
    EditConfigFile(path_, false, [](Json& j) { SetValue(j, "/ipc/copy_threshold", 64); });
    FAIL() << "no throw";
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
  }
  EXPECT_EQ(ReadFile(path_), before_);
}

std::vector<std::string> IntroducedLines(const EditOutcome& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.introduced) out.push_back(FormatFinding("t.json", f));
  return out;
}

TEST_F(EditFileTest, MisspeltKeyIsRefusedWithTheClosestKnownKey) {
  EditOutcome r = EditConfigFile(path_, false, [](Json& j) { SetValue(j, "/ipc/bakend", "copy"); });
  EXPECT_FALSE(r.written);
  ASSERT_EQ(r.introduced.size(), 1u);
  EXPECT_EQ(FormatFinding("t.json", r.introduced[0]),
            "t.json:" + std::to_string(r.introduced[0].position.line) +
                ":5: error: /ipc/bakend: unknown key \"bakend\"; did you mean \"backend\"?; valid: "
                "interfaces, backend, copy_threshold, discovery, services, clients, fault_policy, "
                "authentication");
  EXPECT_EQ(ReadFile(path_), before_);
  r = EditConfigFile(path_, false, [](Json& j) { SetValue(j, "/nonexist/deep", 1); });
  EXPECT_FALSE(r.written);
  EXPECT_EQ(IntroducedLines(r),
            std::vector<std::string>{
                "t.json:" + std::to_string(r.introduced.at(0).position.line) +
                ":3: error: /nonexist: unknown key \"nonexist\"; valid: $schema, format, board, "
                "ipc, network, trace"});
  EXPECT_EQ(ReadFile(path_), before_);
  r = EditConfigFile(path_, true, [](Json& j) { SetValue(j, "/ipc/bakend", "copy"); });
  EXPECT_TRUE(r.written);
  EXPECT_EQ(Json::parse(ReadFile(path_))["ipc"]["bakend"], "copy");
}

TEST_F(EditFileTest, ASymlinkStaysALinkAndItsTargetIsEdited) {
  std::filesystem::path target = path_;
  auto link = target.parent_path() / "link.json";
  std::filesystem::create_symlink(target.filename(), link);
  EditOutcome r =
      EditConfigFile(link.string(), false, [](Json& j) { SetValue(j, "/ipc/copy_threshold", 64); });
  EXPECT_TRUE(r.written);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(Json::parse(ReadFile(path_))["ipc"]["copy_threshold"], 64);
  EXPECT_EQ(std::filesystem::read_symlink(link), target.filename());
}

std::vector<std::string> DirectoryListing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// True once process `pid` has a file open in `dir` (named, or unnamed as "dir/#N (deleted)").
bool HasFileOpenIn(pid_t pid, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (std::filesystem::directory_iterator it(fds, ec), end; !ec && it != end; it.increment(ec)) {
    std::string target = std::filesystem::read_symlink(it->path(), ec).string();
    if (!ec && target.rfind(dir.string() + "/", 0) == 0) return true;
  }
  return false;
}

TEST(WriteFileAtomicTest, AWriterKilledMidWriteLeavesNoTemporaryFile) {
  tockctl::testing::TempDir dir;
  auto path = dir.Write("big.json", "old\n");
  std::string content(256u << 20, 'x');
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      WriteFileAtomic(path, content);
    } catch (...) {
    }
    ::_exit(0);
  }
  while (!HasFileOpenIn(pid, dir.path()) && ::waitpid(pid, nullptr, WNOHANG) == 0) ::usleep(200);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer finished before it could be killed";
  EXPECT_EQ(ReadFile(path), "old\n");
  EXPECT_EQ(DirectoryListing(dir.path()), std::vector<std::string>{"big.json"});
}

TEST(ConfigDiffTest, AddedRemovedChangedByPointer) {
  Json a = Json::parse(R"({"x": 1, "m": {"k": "0x40000", "gone": true}, "l": [1, 2, 3]})");
  Json b = Json::parse(R"({"m": {"k": 262144, "new": null}, "x": 2, "l": [1, 5]})");
  auto changes = DiffJson(a, b);
  EXPECT_EQ(FormatChanges(changes),
            "~ /x: 1 -> 2\n"
            "- /m/gone: true\n"
            "+ /m/new: null\n"
            "~ /l/1: 2 -> 5\n"
            "- /l/2: 3\n");
  EXPECT_EQ(ChangesToJson(changes)[0].dump(),
            R"({"after":2,"before":1,"change":"changed","pointer":"/x"})");
  EXPECT_TRUE(DiffJson(a, a).empty());
  EXPECT_EQ(FormatChanges(DiffJson(Json(1), Json("1"))), "~ /: 1 -> \"1\"\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
