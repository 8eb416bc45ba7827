#include "config/trace_config.h"

#include <gtest/gtest.h>

#include "config/config_summary.h"
#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using Strings = std::vector<std::string>;

// The findings of board NAME's file with `trace` as its "trace" section.
Strings Check(const std::string& trace, const std::string& board = "qemu_rv32_virt") {
  nlohmann::ordered_json doc = testing::BoardFile(board);
  doc["trace"] = nlohmann::ordered_json::parse(trace);
  return testing::FindingLines(doc);
}

TraceConfig Read(const std::string& trace) {
  ValidationReport report;
  TraceConfig t = ReadTraceConfig(nlohmann::ordered_json::parse(trace), "/trace", report);
  EXPECT_EQ(report.findings().size(), 0u);
  return t;
}

TEST(TraceConfigTest, AnEmptySectionIsTheTracerOnTheConsoleWithEveryEvent) {
  TraceConfig t = Read("{}");
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.events, AllTraceEvents());
  EXPECT_EQ(t.link, TraceLinkKind::kConsole);
  EXPECT_EQ(t.buffer_bytes, 4096u);
  EXPECT_EQ(t.process_slots, 8u);
  EXPECT_EQ(TraceTransmitBytes(t), 1600u);
}

TEST(TraceConfigTest, ReadsEveryFieldAndWritesItBack) {
  const char* text = R"({"enabled":false,"events":["ipc","log"],"link":"uart","device":"uart1",)"
                     R"("buffer_bytes":1024,"process_slots":4,"kernel_version":"tock 2.2"})";
  TraceConfig t = Read(text);
  EXPECT_EQ(t.events, (std::vector<TraceEvent>{TraceEvent::kIpc, TraceEvent::kLog}));
  EXPECT_EQ(TraceTransmitBytes(t), 256u);
  OrderedJson back;
  to_json(back, t);
  EXPECT_EQ(back.dump(), text);
}

TEST(TraceConfigTest, StructuralErrorsNameTheField) {
  EXPECT_EQ(
      Check(R"({"events": ["ipc", "upcalls"]})"),
      Strings{"t.json:230:7: error: /trace/events/1: unknown events entry \"upcalls\"; valid: "
              "processes, ipc, network, syscalls, log"});
  EXPECT_EQ(Check(R"({"link": "rtt"})"),
            Strings{"t.json:228:13: error: /trace/link: unknown link \"rtt\"; valid: console, "
                    "uart, usb"});
  EXPECT_EQ(
      Check(R"({"buffer_bytes": 100})"),
      Strings{"t.json:228:21: error: /trace/buffer_bytes: buffer_bytes 100 is out of range; valid: "
              "256..65536"});
  EXPECT_EQ(Check(R"({"link": "uart"})"),
            Strings{"t.json:228:13: error: /trace/link: link \"uart\" needs \"device\", the UART "
                    "to trace on; valid: \"device\": the UART's name in the board, e.g. "
                    "\"uart1\""});
  EXPECT_EQ(Check(R"({"device": "uart1"})"),
            Strings{"t.json:228:15: error: /trace/device: \"device\" is only for link \"uart\"; "
                    "link is \"console\"; valid: remove \"device\", or set \"link\": \"uart\""});
}

TEST(TraceConfigTest, UsbNeedsABoardWithUsb) {
  EXPECT_EQ(Check(R"({"link": "usb"})"),
            Strings{"t.json:228:13: error: /trace/link: board qemu_rv32_virt has no USB CDC "
                    "link; valid: \"console\" (the console's UART) or \"uart\" with \"device\""});
  EXPECT_EQ(Check(R"({"link": "usb"})", "nano33ble"), Strings{});
}

TEST(TraceConfigTest, TheBufferMustLeaveSevenEighthsOfTheRam) {
  // hifive1 has 16 KiB of RAM: 2048 bytes for the tracer at most.
  EXPECT_EQ(Check(R"({"buffer_bytes": 4096})", "hifive1"),
            Strings{"t.json:85:21: error: /trace/buffer_bytes: the tracer would take 5696 bytes "
                    "(buffer 4096 + transmit 1600), more than 1/8 of the 16384 bytes of RAM of "
                    "board hifive1; valid: at most 448"});
  EXPECT_EQ(Check(R"({"buffer_bytes": 1792, "events": ["ipc"]})", "hifive1"), Strings{});
  EXPECT_EQ(Check(R"({"enabled": false, "buffer_bytes": 65536})", "hifive1"), Strings{});
}

TEST(TraceConfigTest, TheSummarySaysWhatTheTracerDoes) {
  nlohmann::ordered_json doc = testing::BoardFile("qemu_rv32_virt");
  doc["trace"] = nlohmann::ordered_json::parse(R"({"events": ["processes", "ipc"]})");
  std::string text =
      DescribeBoardConfig(CheckBoardConfig(JsonDocument::Parse(FormatJson(doc), "t.json")));
  EXPECT_EQ(text.substr(text.find("trace:")),
            "trace: on; link console; events processes, ipc; buffer 4096 + transmit 256 bytes; "
            "8 process slots\n");
  doc["trace"]["enabled"] = false;
  text = DescribeBoardConfig(CheckBoardConfig(JsonDocument::Parse(FormatJson(doc), "t.json")));
  EXPECT_EQ(text.substr(text.find("trace:")), "trace: off\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
