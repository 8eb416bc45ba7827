// Walks the one table of record types (tracer/record_types.h) against every other place that
// lists them: the specification, the Rust encoder the kernel links, the demo firmware's C
// encoder, the Wireshark dissector and the firmware smoke test. A record type added to one and
// not the others fails here with the file and the type (docs/development.md, "Add a trace record
// type").
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/test_support.h"
#include "tests/trace_encoding/record_encoder.h"
#include "tests/tracer/trace_test_util.h"
#include "tracer/trace_decoder.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using TypeNames = std::map<int, std::string>;

std::string SourceFile(const std::string& path) {
  return tockctl::testing::Slurp(std::string(TOCKCTL_SOURCE_DIR) + "/" + path);
}

// The part of `text` from the first `begin` to the next `end` after it.
std::string Between(const std::string& text, const std::string& begin, const std::string& end) {
  const size_t from = text.find(begin);
  if (from == std::string::npos) return "";
  const size_t to = text.find(end, from + begin.size());
  return text.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// Every (type byte, name) that `pattern` finds in `text`; group `value` is hex, group `name` the
// name.
TypeNames Collect(const std::string& text, const std::string& pattern, size_t value, size_t name) {
  TypeNames found;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    found[std::stoi((*it)[value].str(), nullptr, 16)] = (*it)[name].str();
  }
  return found;
}

TypeNames TableJsonNames() {
  TypeNames names;
  for (RecordType type : kAllRecordTypes) {
    const auto value = static_cast<uint8_t>(type);
    names[value] = RecordTypeName(value);
  }
  return names;
}

// "ipc_send" -> "IPC_SEND": the spec's, the C encoder's and the dissector's spelling.
TypeNames Upper(const TypeNames& names) {
  TypeNames upper;
  for (const auto& [value, name] : names) {
    std::string u = name;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper[value] = u;
  }
  return upper;
}

TEST(RecordTableTest, TheSpecificationListsEveryTypeOfTheTableAndNoOther) {
  const std::string spec = SourceFile("docs/trace-protocol.md");
  const std::string row = R"re(\| 0x([0-9A-F]{2}) \| ([A-Z_]+) \| `([a-z_]+)` \|)re";
  EXPECT_EQ(Collect(spec, row, 1, 3), TableJsonNames());
  EXPECT_EQ(Collect(spec, row, 1, 2), Upper(TableJsonNames()));
}

TEST(RecordTableTest, TheRustEncoderTheKernelLinksHasTheSameTypes) {
  const std::string rust = SourceFile("kernel/tock-trace/src/record.rs");
  EXPECT_EQ(Collect(rust, R"re((\w+) = 0x([0-9A-F]{2}) => "([a-z_]+)")re", 2, 3), TableJsonNames());
}

TEST(RecordTableTest, TheDemoFirmwaresEncoderHasTheSameTypes) {
  const std::string c =
      Between(SourceFile("firmware/qemu_demo/trace_enc.h"), "enum trace_type {", "};");
  EXPECT_EQ(Collect(c, R"re(TRACE_([A-Z_]+) = 0x([0-9A-F]{2}),)re", 2, 1), Upper(TableJsonNames()));
}

TEST(RecordTableTest, TheDissectorNamesAndDecodesEveryType) {
  const std::string lua = SourceFile("tracer/dissector/tockctl_ipc.lua");
  const std::string names = Between(lua, "local record_types = {", "}");
  EXPECT_EQ(Collect(names, R"re(\[0x([0-9A-F]{2})\] = "([A-Z_]+)")re", 1, 2),
            Upper(TableJsonNames()));
  std::vector<int> with_body;
  for (const auto& [value, name] : Collect(lua, R"re(bodies\[0x([0-9A-F]{2})\] = ())re", 1, 2)) {
    with_body.push_back(value);
  }
  std::vector<int> expected;
  for (const auto& [value, name] : TableJsonNames()) expected.push_back(value);
  EXPECT_EQ(with_body, expected) << "every type needs a bodies[0xNN] dissector function";
}

TEST(RecordTableTest, TheFirmwareSmokeTestKnowsEveryTypeAndItsFixedSize) {
  const std::string py = SourceFile("firmware/qemu_demo/tests/qemu_smoke.py");
  EXPECT_EQ(
      Collect(Between(py, "RECORD_TYPES = {", "}"), R"re(0x([0-9A-F]{2}): "([a-z_]+)")re", 1, 2),
      TableJsonNames());
  const std::string sizes = Between(py, "MIN_BODY = {", "}");
  for (const auto& [value, name] : TableJsonNames()) {
    EXPECT_NE(sizes.find("\"" + name + "\": "), std::string::npos) << name;
  }
}

// The fixed size column of the spec is the body of a record whose strings, frames and lists are
// empty: what the test encoder writes for a default body.
TEST(RecordTableTest, EveryTypesEmptyBodyHasTheSpecificationsFixedSize) {
  const std::string spec = SourceFile("docs/trace-protocol.md");
  const TypeNames sizes =
      Collect(spec, R"re(\| 0x([0-9A-F]{2}) \| [A-Z_]+ \| `[a-z_]+` \| (\d+))re", 1, 2);
  const std::vector<RecordBody> bodies = {
#define TOCKCTL_RECORD_BODY(name, value, json, body) body{},
      TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_BODY)
#undef TOCKCTL_RECORD_BODY
  };
  for (size_t i = 0; i < kRecordTypeCount; ++i) {
    std::vector<uint8_t> bytes;
    AppendBody(bodies[i], bytes);
    const int value = static_cast<uint8_t>(kAllRecordTypes[i]);
    ASSERT_EQ(sizes.count(value), 1U) << value;
    EXPECT_EQ(std::to_string(bytes.size()), sizes.at(value)) << RecordTypeName(value);
  }
}

// Each row's record, written by the test encoder, comes out of the decoder as that type with that
// JSON name: the parser's dispatch covers the whole table.
TEST(RecordTableTest, EveryTypeDecodesToItsOwnNameThroughTheDecoder) {
  std::vector<uint8_t> wire;
  uint32_t seq = 0;
  // `body{}` is a value of the row's body type, not an expression to parenthesise.
  // NOLINTBEGIN(bugprone-macro-parentheses)
#define TOCKCTL_RECORD_FRAME(name, value, json, body) \
  testing::Append(wire, testing::Frame(RecordType::name, seq++, 10, body{}));
  TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_FRAME)
#undef TOCKCTL_RECORD_FRAME
  // NOLINTEND(bugprone-macro-parentheses)
  testing::JsonCollector out;
  TraceDecoder decoder(out);
  decoder.Feed(wire);
  decoder.Finish();
  ASSERT_EQ(out.lines.size(), kRecordTypeCount);
  for (size_t i = 0; i < kRecordTypeCount; ++i) {
    const std::string name = RecordTypeName(static_cast<uint8_t>(kAllRecordTypes[i]));
    EXPECT_NE(out.lines[i].find("\"type\":\"" + name + "\""), std::string::npos) << out.lines[i];
  }
  EXPECT_EQ(decoder.stats().malformed, 0U);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
