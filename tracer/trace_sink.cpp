#include "tracer/trace_sink.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include "common/output_stream.h"
#include "tracer/json_lines.h"
#include "tracer/text_view.h"

namespace tockctl::tracer {
namespace {

// Marks a console line in the text view: blank time column, kind "console", then the text.
constexpr std::string_view kConsolePrefix = "                console        | ";

// Console bytes as the view shows them: control bytes (but tab) and DEL as \xNN, the rest raw.
void AppendConsoleByte(uint8_t b, std::string& out) {
  if ((b < 0x20 && b != '\t') || b == 0x7F) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
    return;
  }
  out += static_cast<char>(b);
}

constexpr uint32_t kPow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

void WriteAll(std::FILE* out, std::string& buffer) {
  if (buffer.empty() || out == nullptr) return;
  std::string pending;
  pending.swap(buffer);
  WriteToStream(out, pending);
}

const char* EventName(LinkEvent::Kind kind) {
  switch (kind) {
    case LinkEvent::Kind::kConnected:
      return "connected";
    case LinkEvent::Kind::kDisconnected:
      return "disconnected";
    case LinkEvent::Kind::kReconnected:
      return "reconnected";
  }
  return "unknown";
}

std::string InterfaceDescription(const InterfaceEntry& e, const TraceContext& context) {
  const char* kind = InterfaceKindName(e.kind);
  std::string text = "Tock " + context.board() + " " + e.name + " (" +
                     (kind != nullptr ? kind : "kind " + std::to_string(e.kind)) + ", mtu " +
                     std::to_string(e.mtu);
  if (e.addr_len > 0) text += ", " + e.AddressText();
  return text + ")";
}

// "seq 21, device time 0.005356000 s" (or "... ticks 5356" before HELLO): ties a frame to the
// records about it (NET_DELIVER names the NET_RX by seq) and keeps the device clock visible.
void AppendFrameComment(const RecordHeader& header, const RecordInfo& info, std::string& out) {
  char buf[64];
  char* p = buf;
  char* const end = buf + sizeof buf;
  auto put = [&](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put("seq ");
  p = std::to_chars(p, end, header.seq).ptr;
  if (info.time.device_ns) {
    put(", device time ");
    p = std::to_chars(p, end, *info.time.device_ns / 1000000000u).ptr;
    char frac[10];
    const auto ns = static_cast<uint32_t>(*info.time.device_ns % 1000000000u);
    for (int i = 8; i >= 0; --i) frac[i] = static_cast<char>('0' + (ns / kPow10[8 - i]) % 10);
    frac[9] = 0;
    *p++ = '.';
    put(std::string_view(frac, 9));
    put(" s");
  } else {
    put(", ticks ");
    p = std::to_chars(p, end, header.ticks).ptr;
  }
  out.append(buf, p);
}

}  // namespace

TextSink::TextSink(std::FILE* out, std::FILE* messages, bool header, size_t width)
    : out_(out), messages_(messages), header_pending_(header), width_(width) {}

void TextSink::OnRecord(const Record& record, const RecordInfo& info, const TraceContext& context) {
  if (out_ == nullptr) return;
  EndConsoleLine();
  if (header_pending_) {
    buffer_ += TextHeader(width_);
    header_pending_ = false;
  }
  AppendRecordText(record, info, context, buffer_, width_);
}

void TextSink::OnConsole(std::span<const uint8_t> text, int64_t) {
  if (out_ == nullptr) return;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!console_line_open_) {
      buffer_ += kConsolePrefix;
      console_line_open_ = true;
    }
    const uint8_t b = text[i];
    if (b == '\n') {
      buffer_ += '\n';
      console_line_open_ = false;
    } else if (b == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;  // CR LF ends the line like LF
    } else {
      AppendConsoleByte(b, buffer_);
    }
  }
}

void TextSink::EndConsoleLine() {
  if (!console_line_open_) return;
  buffer_ += '\n';
  console_line_open_ = false;
}

void TextSink::OnEnd() { EndConsoleLine(); }

void TextSink::OnNotice(const std::string& message) {
  Flush();
  if (messages_ == nullptr) return;
  std::fprintf(messages_, "trace: %s\n", message.c_str());
  std::fflush(messages_);
}

void TextSink::OnLinkEvent(const LinkEvent& event) {
  Flush();
  if (messages_ == nullptr) return;
  const char* what = event.kind == LinkEvent::Kind::kDisconnected ? "link lost" : "link up";
  std::fprintf(messages_, "trace: %s: %s\n", what, event.detail.c_str());
  std::fflush(messages_);
}

void TextSink::OnStats(const StatsView& stats) {
  Flush();
  if (messages_ == nullptr) return;
  const std::string text = stats.statistics.RenderText(stats.decoder, stats.context);
  std::fputs(text.c_str(), messages_);
  std::fflush(messages_);
}

void TextSink::Flush() { WriteAll(out_, buffer_); }

JsonSink::JsonSink(std::FILE* out, std::FILE* messages) : out_(out), messages_(messages) {}

void JsonSink::OnRecord(const Record& record, const RecordInfo&, const TraceContext&) {
  AppendRecordJson(record, buffer_);
}

void JsonSink::OnConsole(std::span<const uint8_t> text, int64_t) {
  AppendConsoleJson(text, buffer_);
}

void JsonSink::OnNotice(const std::string& message) {
  if (messages_ == nullptr) return;
  std::fprintf(messages_, "trace: %s\n", message.c_str());
  std::fflush(messages_);
}

void JsonSink::OnLinkEvent(const LinkEvent& event) {
  nlohmann::ordered_json j;
  j["type"] = "status";
  j["event"] = EventName(event.kind);
  j["detail"] = event.detail;
  j["host_ns"] = event.host_ns;
  buffer_ += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  Flush();
}

void JsonSink::OnStats(const StatsView& stats) {
  const auto j = stats.statistics.RenderJson(stats.decoder, stats.context);
  buffer_ += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  Flush();
}

void JsonSink::Flush() { WriteAll(out_, buffer_); }

uint16_t LinktypeFor(const InterfaceEntry& entry) {
  if (entry.linktype != 0) return entry.linktype;
  switch (entry.kind) {
    case 1:
      return 1;  // Ethernet
    case 2:
      return 230;  // IEEE 802.15.4 without FCS
    case 3:
      return 105;  // IEEE 802.11
    case 4:
      return 227;  // SocketCAN
    case 5:
      return 251;  // Bluetooth LE link layer
    default:
      return PcapngSink::kLinktypeUser0;
  }
}

PcapngSink::PcapngSink(PcapngWriter& writer) : writer_(writer) {
  PcapngInterface user;
  user.linktype = kLinktypeUser0;
  user.name = "tock-trace";
  user.description = "Tock IPC, process and system trace records (tockctl trace protocol)";
  user_iface_ = writer_.AddInterface(user);
  writer_.Flush();
}

void PcapngSink::SyncInterfaces(const TraceContext& context) {
  seen_generation_ = context.interface_generation();
  for (const InterfaceEntry& e : context.interfaces()) {
    auto it = mapped_.find(e.iface_id);
    if (it != mapped_.end() && it->second.entry == e) continue;
    PcapngInterface idb;
    idb.linktype = LinktypeFor(e);
    idb.name = e.name;
    idb.description = InterfaceDescription(e, context);
    mapped_[e.iface_id] = Mapped{e, writer_.AddInterface(idb)};
  }
}

void PcapngSink::OnRecord(const Record& record, const RecordInfo& info,
                          const TraceContext& context) {
  if (context.interface_generation() != seen_generation_) SyncInterfaces(context);
  const auto ts = static_cast<uint64_t>(std::max<int64_t>(info.time.host_ns, 0));
  if (const auto* f = std::get_if<NetFrame>(&record.body)) {
    auto it = mapped_.find(f->iface_id);
    if (it != mapped_.end()) {
      const bool tx = record.header.type == RecordType::kNetTx;
      comment_.clear();
      AppendFrameComment(record.header, info, comment_);
      writer_.WritePacket(it->second.pcapng_id, ts, f->data,
                          std::max<uint32_t>(f->orig_len, static_cast<uint32_t>(f->data.size())),
                          tx ? kEpbOutbound : kEpbInbound, comment_);
      return;
    }
  }
  writer_.WritePacket(user_iface_, ts, record.raw, static_cast<uint32_t>(record.raw.size()));
}

void PcapngSink::OnConsole(std::span<const uint8_t> text, int64_t host_ns) {
  if (!console_iface_) {
    PcapngInterface console;
    console.linktype = kLinktypeUser1;
    console.name = "tock-console";
    console.description =
        "Tock console text sharing the link with the trace (tockctl trace protocol v2)";
    console_iface_ = writer_.AddInterface(console);
  }
  writer_.WritePacket(*console_iface_, static_cast<uint64_t>(std::max<int64_t>(host_ns, 0)), text,
                      static_cast<uint32_t>(text.size()));
}

void PcapngSink::Flush() { writer_.Flush(); }

}  // namespace tockctl::tracer
