#include "tracer/console_view.h"

#include <ctime>

#include "common/output_stream.h"
#include "tracer/text_view.h"

namespace tockctl::tracer {
namespace {

constexpr const char* kDim = "\x1b[2m";
constexpr const char* kReset = "\x1b[0m";

const char* LinkWords(LinkEvent::Kind kind) {
  switch (kind) {
    case LinkEvent::Kind::kConnected:
      return "connected";
    case LinkEvent::Kind::kDisconnected:
      return "link lost";
    case LinkEvent::Kind::kReconnected:
      return "link up";
  }
  return "link";
}

}  // namespace

std::string ConsoleTimestamp(int64_t host_ns) {
  const auto seconds = static_cast<std::time_t>(host_ns / 1000000000);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char text[32];
  const auto ms = static_cast<int>((host_ns / 1000000) % 1000);
  std::snprintf(text, sizeof text, "[%02d:%02d:%02d.%03d] ", local.tm_hour, local.tm_min,
                local.tm_sec, ms);
  return text;
}

ConsoleViewSink::ConsoleViewSink(std::FILE* out, std::FILE* messages, ConsoleViewOptions options)
    : out_(out), messages_(messages), options_(options) {}

void ConsoleViewSink::StartLine(int64_t host_ns) {
  if (options_.timestamps) buffer_ += ConsoleTimestamp(host_ns);
}

void ConsoleViewSink::OnRecord(const Record& record, const RecordInfo& info,
                               const TraceContext& context) {
  if (!options_.records) return;
  if (line_open_) buffer_ += '\n';
  line_open_ = false;
  if (options_.color) buffer_ += kDim;
  StartLine(info.time.host_ns);
  buffer_ += kConsoleRecordMark;
  std::string line;
  const size_t used = kConsoleRecordMark.size() + (options_.timestamps ? 15 : 0);
  AppendRecordText(record, info, context, line,
                   options_.width > used + 20 ? options_.width - used : 0);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  buffer_ += line;
  if (options_.color) buffer_ += kReset;
  buffer_ += '\n';
}

void ConsoleViewSink::OnConsole(std::span<const uint8_t> text, int64_t host_ns) {
  for (const uint8_t b : text) {
    if (!line_open_) StartLine(host_ns);
    buffer_ += static_cast<char>(b);
    line_open_ = b != '\n';
  }
}

void ConsoleViewSink::OnLinkEvent(const LinkEvent& event) {
  OnNotice(std::string(LinkWords(event.kind)) + ": " + event.detail);
}

void ConsoleViewSink::OnNotice(const std::string& message) {
  if (line_open_) buffer_ += '\n';
  line_open_ = false;
  Flush();
  if (messages_ == nullptr) return;
  std::fprintf(messages_, "console: %s\n", message.c_str());
  std::fflush(messages_);
}

void ConsoleViewSink::OnEnd() {
  if (line_open_) buffer_ += '\n';
  line_open_ = false;
}

void ConsoleViewSink::Flush() {
  if (buffer_.empty()) return;
  std::string pending;
  pending.swap(buffer_);
  WriteToStream(out_, pending);
}

}  // namespace tockctl::tracer
