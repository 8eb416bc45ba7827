#include "kernel/rust_expr.h"

#include <gtest/gtest.h>

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

RustExpr Str(const char* s) { return RustExpr::String(s); }

TEST(RustExprTest, ShortStructStaysOnOneLine) {
  RustExpr e = RustExpr::Struct("NetworkConfig", {{"interfaces", RustExpr::Array({}, true)}});
  EXPECT_EQ(RenderRustItem("pub static N: NetworkConfig = ", e),
            "pub static N: NetworkConfig = NetworkConfig { interfaces: &[] };");
}

TEST(RustExprTest, StructBodyOverEighteenCharactersGoesVertical) {
  RustExpr e = RustExpr::Struct("S", {{"a", Str("xxxxxxxxxxxxxx")}});
  EXPECT_EQ(RenderRustItem("const X: S = ", e), "const X: S = S {\n    a: \"xxxxxxxxxxxxxx\",\n};");
  RustExpr fits = RustExpr::Struct("S", {{"a", Str("xxxxxxxxxxxxx")}});
  EXPECT_EQ(RenderRustItem("const X: S = ", fits), "const X: S = S { a: \"xxxxxxxxxxxxx\" };");
}

TEST(RustExprTest, ArraysUpToSixtyCharactersStayOnOneLine) {
  std::string a(18, 'a'), b60(36, 'b'), b61(37, 'b');
  RustExpr fits = RustExpr::Array({Str(a.c_str()), Str(b60.c_str())}, true);
  EXPECT_EQ(RenderRustItem("const X: &[&str] = ", fits),
            "const X: &[&str] = &[\"" + a + "\", \"" + b60 + "\"];");
  RustExpr wide = RustExpr::Array({Str(a.c_str()), Str(b61.c_str())}, true);
  EXPECT_EQ(RenderRustItem("const X: &[&str] = ", wide),
            "const X: &[&str] = &[\n    \"" + a + "\",\n    \"" + b61 + "\",\n];");
}

TEST(RustExprTest, ShortItemsFillLines) {
  std::vector<RustExpr> items;
  for (int i = 0; i < 12; ++i) items.push_back(Str("xxxxxxxx"));
  RustExpr e = RustExpr::Call("Foo", RustExpr::Array(items, true));
  std::string row = "\"xxxxxxxx\", ";
  std::string first, second;
  for (int i = 0; i < 8; ++i) first += row;
  for (int i = 0; i < 4; ++i) second += row;
  first.pop_back();
  second.pop_back();
  EXPECT_EQ(RenderRustItem("pub static M: X = ", e),
            "pub static M: X = Foo(&[\n    " + first + "\n    " + second + "\n]);");
}

TEST(RustExprTest, SingleArrayArgumentOverflowsTheCall) {
  std::string a(18, 'a'), b(37, 'b');
  RustExpr e = RustExpr::Call("Foo", RustExpr::Array({Str(a.c_str()), Str(b.c_str())}, true));
  EXPECT_EQ(RenderRustItem("const X: Y = ", e),
            "const X: Y = Foo(&[\n    \"" + a + "\",\n    \"" + b + "\",\n]);");
}

TEST(RustExprTest, NestedStructsIndentByFour) {
  RustExpr inner = RustExpr::Struct("Inner", {{"value", RustExpr::Atom("12345678901234")}});
  RustExpr outer = RustExpr::Struct("Outer", {{"inner", inner}, {"flag", RustExpr::Atom("true")}});
  EXPECT_EQ(RenderRustItem("static O: Outer = ", outer),
            "static O: Outer = Outer {\n"
            "    inner: Inner {\n"
            "        value: 12345678901234,\n"
            "    },\n"
            "    flag: true,\n"
            "};");
}

TEST(RustExprTest, SingleStructItemOverflowsTheArray) {
  RustExpr item =
      RustExpr::Struct("Item", {{"name", Str("eth0")}, {"mtu", RustExpr::Atom("1500")}});
  RustExpr e = RustExpr::Struct("List", {{"items", RustExpr::Array({item}, true)}});
  EXPECT_EQ(RenderRustItem("static L: List = ", e),
            "static L: List = List {\n"
            "    items: &[Item {\n"
            "        name: \"eth0\",\n"
            "        mtu: 1500,\n"
            "    }],\n"
            "};");
}

TEST(RustExprTest, StringsAreEscapedToAscii) {
  EXPECT_EQ(EscapeRustString("a\"b\\c\n\t"), "a\\\"b\\\\c\\n\\t");
  EXPECT_EQ(EscapeRustString("caf\xc3\xa9"), "caf\\u{e9}");
  EXPECT_EQ(EscapeRustString("\x01"), "\\u{1}");
  EXPECT_EQ(EscapeRustString("\xff"), "\\u{fffd}");
  EXPECT_EQ(EscapeRustString("\xe2\x82"), "\\u{fffd}\\u{fffd}");
  EXPECT_EQ(EscapeRustString("\xf0\x9f\x98\x80"), "\\u{1f600}");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
