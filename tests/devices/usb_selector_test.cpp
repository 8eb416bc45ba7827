// The one VID:PID[:SERIAL] grammar of every command (trace --usb, flash --usb, extcap).
#include "devices/usb_selector.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(UsbSelectorTest, ParsesVidPidAndSerial) {
  EXPECT_EQ(ParseUsbSelector("1209:0001"), (UsbSelector{0x1209, 0x0001, {}}));
  EXPECT_EQ(ParseUsbSelector("0x2E8A:0x000a:E6616407E3"),
            (UsbSelector{0x2e8a, 0x000a, "E6616407E3"}));
  EXPECT_EQ(ParseUsbSelector("1366:105:a:b"), (UsbSelector{0x1366, 0x0105, "a:b"}));
  EXPECT_EQ(ParseUsbSelector("2E8A:A:x").ToString(), "2e8a:000a:x");
}

std::string SelectorError(const std::string& text) {
  try {
    ParseUsbSelector(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    return e.Describe();
  }
  return "no error";
}

TEST(UsbSelectorTest, RejectsMalformedSelectorsClearly) {
  const std::string hint =
      "; expected VID:PID[:SERIAL] with hexadecimal ids, e.g. 1209:0001 or 2e8a:000a:E6616407E3";
  EXPECT_EQ(SelectorError("1209"), "invalid USB selector '1209': the product id is missing" + hint);
  EXPECT_EQ(SelectorError("12345:0001"),
            "invalid USB selector '12345:0001': the vendor id '12345' is not 1 to 4 hexadecimal "
            "digits" +
                hint);
  EXPECT_EQ(SelectorError("1209:xyz"),
            "invalid USB selector '1209:xyz': the product id 'xyz' is not 1 to 4 hexadecimal "
            "digits" +
                hint);
  EXPECT_EQ(
      SelectorError(":0001"),
      "invalid USB selector ':0001': the vendor id '' is not 1 to 4 hexadecimal digits" + hint);
  EXPECT_EQ(SelectorError("1209:0001:"),
            "invalid USB selector '1209:0001:': the serial number after ':' is empty" + hint);
}

TEST(UsbSelectorTest, ProbeValuesOfTheFlasherParseTheSameWay) {
  auto s = ParseUsbSelector("2E8A:0003:E6614103");
  EXPECT_EQ(s.vid, 0x2e8a);
  EXPECT_EQ(s.pid, 0x0003);
  EXPECT_EQ(s.serial, "E6614103");
  EXPECT_FALSE(ParseUsbSelector("0483:df11").serial.has_value());
  EXPECT_EQ(ParseUsbSelector("0x2e8a:0xa"), (UsbSelector{0x2e8a, 0x000a, std::nullopt}));
  EXPECT_EQ(SelectorError("2e8a-0003"),
            "invalid USB selector '2e8a-0003': the product id is missing; expected "
            "VID:PID[:SERIAL] with hexadecimal ids, e.g. 1209:0001 or 2e8a:000a:E6616407E3");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
