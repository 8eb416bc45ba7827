#include "tracer/extcap_format.h"

#include <gtest/gtest.h>

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ExtcapFormat, TextKeepsBracesAndLineBreaksOutOfSentences) {
  EXPECT_EQ(ExtcapText("Tock {board}\nline\ttab"), "Tock (board) line tab");
  EXPECT_EQ(ExtcapText("plain: 1,2 = ok"), "plain: 1,2 = ok");
  EXPECT_EQ(ExtcapText(std::string("a\x7f"
                                   "b\0c",
                                   5)),
            "a b c");
}

TEST(ExtcapFormat, HeaderAndInterfaces) {
  EXPECT_EQ(RenderExtcapHeader("0.1.0", "file:///doc/extcap.md"),
            "extcap {version=0.1.0}{help=file:///doc/extcap.md}\n");
  EXPECT_EQ(RenderExtcapInterfaces(
                {{"tockctl-qemu", "tockctl: QEMU"}, {"tockctl-serial-X", "serial {odd} name"}}),
            "interface {value=tockctl-qemu}{display=tockctl: QEMU}\n"
            "interface {value=tockctl-serial-X}{display=serial (odd) name}\n");
  EXPECT_EQ(RenderExtcapInterfaces({}), "");
}

TEST(ExtcapFormat, Dlts) {
  EXPECT_EQ(RenderExtcapDlts({{147, "USER0", "Tock trace"}}),
            "dlt {number=147}{name=USER0}{display=Tock trace}\n");
}

TEST(ExtcapFormat, ConfigNumbersArgsAndWritesOnlyWhatIsSet) {
  std::vector<ExtcapArg> args = {
      {"--baud", "Baud rate", "Line rate", ExtcapArgType::kInteger, "115200", "1,16000000", "Link"},
      {"--reconnect", "Reconnect", "Wait for it", ExtcapArgType::kBoolFlag, "", "", ""},
      {"--process", "Process", "Only {this}", ExtcapArgType::kString, "", "", "Filter"},
      {"--save-raw", "Save raw", "Raw bytes", ExtcapArgType::kFileSelect, "", "", "Output"},
  };
  EXPECT_EQ(RenderExtcapConfig(args),
            "arg {number=0}{call=--baud}{display=Baud rate}{tooltip=Line rate}{type=integer}"
            "{range=1,16000000}{default=115200}{group=Link}\n"
            "arg {number=1}{call=--reconnect}{display=Reconnect}{tooltip=Wait for it}"
            "{type=boolflag}\n"
            "arg {number=2}{call=--process}{display=Process}{tooltip=Only (this)}{type=string}"
            "{group=Filter}\n"
            "arg {number=3}{call=--save-raw}{display=Save raw}{tooltip=Raw bytes}"
            "{type=fileselect}{mustexist=false}{group=Output}\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
