#include "common/error.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ErrorTest, DescribesFileLineColumnPointerAndHint) {
  ErrorContext ctx;
  ctx.file = "board.json";
  ctx.line = 12;
  ctx.column = 5;
  ctx.json_pointer = "/ipc/backend";
  Error e(ErrorCategory::kInvalidInput, "unknown back-end \"fast\"", ctx,
          "valid: copy, shared, auto");
  EXPECT_EQ(e.Describe(),
            "board.json:12:5: /ipc/backend: unknown back-end \"fast\"; valid: copy, shared, auto");
}

TEST(ErrorTest, DescribesDeviceAndOperation) {
  ErrorContext ctx;
  ctx.device = "127.0.0.1:1234";
  ctx.operation = "write 0x80000000";
  Error e(ErrorCategory::kTransport, "connection closed", ctx);
  EXPECT_EQ(e.Describe(), "connection closed (127.0.0.1:1234: write 0x80000000)");
}

TEST(ErrorTest, OffsetWithoutLine) {
  ErrorContext ctx;
  ctx.file = "kernel.elf";
  ctx.offset = 52;
  EXPECT_EQ(Error(ErrorCategory::kInvalidInput, "bad header", ctx).Describe(),
            "kernel.elf: offset 52: bad header");
}

TEST(ErrorTest, WithContextKeepsInnerFields) {
  ErrorContext inner;
  inner.offset = 4;
  ErrorContext outer;
  outer.file = "a.hex";
  outer.offset = 99;
  Error e = Error(ErrorCategory::kInvalidInput, "x", inner).WithContext(outer);
  EXPECT_EQ(e.context().file, "a.hex");
  EXPECT_EQ(*e.context().offset, 4u);
}

TEST(ErrorTest, DescribeStaysOnOneLine) {
  // Messages quote file and device text (found by the fuzz targets: a JSON string with "\n").
  ErrorContext ctx;
  ctx.json_pointer = "/board/a\nb";
  Error e(ErrorCategory::kInvalidInput, "unknown value \"ut\nx\"", ctx, "valid: uart");
  EXPECT_EQ(e.Describe(), "/board/a\\x0ab: unknown value \"ut\\x0ax\"; valid: uart");
}

TEST(ErrorTest, ExitCodesAreDistinct) {
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kUsage), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kInvalidInput), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kIo), 4);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kTransport), 5);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kDeviceReported), 6);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kToolFailed), 7);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kInternal), 70);
  EXPECT_EQ(ExitCodeFor(ErrorCategory::kInterrupted), 130);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
