#include "tracer/extcap_program.h"

#include <utility>

#include "common/error.h"

namespace tockctl::tracer {
namespace {

constexpr int kLinktypeUser0 = 147;

Error Usage(const std::string& message, const std::string& hint = {}) {
  return Error(ErrorCategory::kUsage, message, {}, hint);
}

// The flags that each make a call of their own; Wireshark passes exactly one of them.
void CheckOneCall(const ExtcapRequest& r) {
  std::vector<std::string> given;
  for (const auto& [flag, set] :
       {std::pair{"--extcap-interfaces", r.interfaces}, std::pair{"--extcap-dlts", r.dlts},
        std::pair{"--extcap-config", r.config}, std::pair{"--capture", r.capture}}) {
    if (set) given.emplace_back(flag);
  }
  if (given.size() > 1) {
    throw Usage(given[0] + " and " + given[1] + " cannot be used together",
                "Wireshark asks for one thing at a time");
  }
}

ExtcapSourceKind InterfaceKind(const ExtcapRequest& r, const char* call) {
  if (!r.interface) throw Usage(std::string(call) + " needs --extcap-interface VALUE");
  std::optional<ExtcapSourceKind> kind = ExtcapKindOf(*r.interface);
  if (!kind) {
    throw Usage("unknown interface " + *r.interface,
                "tockctl's interfaces start with tockctl-; list them with: tockctl extcap "
                "--extcap-interfaces");
  }
  return *kind;
}

ExtcapCall ClassifyCapture(const ExtcapRequest& r) {
  InterfaceKind(r, "--capture");
  if (!r.fifo || r.fifo->empty()) throw Usage("--capture needs --fifo PATH");
  if (r.capture_filter && !r.capture_filter->empty()) {
    throw Usage("tockctl interfaces take no capture filter",
                "use a display filter, or the Filter options of the interface");
  }
  return ExtcapCall::kCapture;
}

ExtcapArg Flag(std::string call, std::string display, std::string tooltip, std::string group) {
  return {std::move(call), std::move(display), std::move(tooltip), ExtcapArgType::kBoolFlag, {}, {},
          std::move(group)};
}

ExtcapArg Text(std::string call, std::string display, std::string tooltip) {
  return {std::move(call), std::move(display), std::move(tooltip), ExtcapArgType::kString, {}, {},
          "Filter"};
}

ExtcapArg Reconnect(ExtcapSourceKind kind) {
  return Flag("--reconnect", "Reconnect",
              kind == ExtcapSourceKind::kQemu
                  ? "When QEMU stops, wait for it (or the QEMU of a new tockctl flash) instead of "
                    "ending the capture"
                  : "When the device goes away, wait for it to come back instead of ending the "
                    "capture",
              "Link");
}

std::vector<ExtcapArg> LinkArgs(ExtcapSourceKind kind) {
  switch (kind) {
    case ExtcapSourceKind::kQemu:
      return {Reconnect(kind),
              Flag("--wait", "Wait for QEMU",
                   "If no QEMU started by tockctl flash runs yet, wait for one instead of failing",
                   "Link")};
    case ExtcapSourceKind::kSerial:
      return {{"--baud", "Baud rate", "Serial line rate (8N1)", ExtcapArgType::kInteger, "115200",
               "1,16000000", "Link"},
              Reconnect(kind)};
    case ExtcapSourceKind::kUsb:
      return {{"--usb-interface", "USB interface",
               "Read this interface number instead of the one named trace", ExtcapArgType::kInteger,
               "", "0,255", "Link"},
              Reconnect(kind)};
  }
  return {};
}

std::string InterfacesReply(const ExtcapProgramInfo& info, SourceInventory& inventory) {
  std::vector<ExtcapInterface> interfaces;
  for (const auto& s : ListExtcapSources(inventory)) interfaces.push_back(s.interface);
  return RenderExtcapHeader(info.version, info.help) + RenderExtcapInterfaces(interfaces);
}

std::string FilterCheckReply(const ExtcapRequest& r) {
  if (r.capture_filter->empty()) return "";
  return "tockctl interfaces take no capture filter; use a display filter, or the Filter options "
         "of the interface\n";
}

}  // namespace

std::string ExtcapHelpLink(const std::filesystem::path& data_dir) {
  std::filesystem::path doc = data_dir / "docs" / "extcap.md";
  std::error_code ec;
  if (!std::filesystem::exists(doc, ec)) doc = data_dir / ".." / "doc" / "tockctl" / "extcap.md";
  return "file://" + std::filesystem::absolute(doc).lexically_normal().string();
}

ExtcapCall ClassifyExtcapRequest(const ExtcapRequest& r) {
  CheckOneCall(r);
  if (r.capture) return ClassifyCapture(r);
  if (r.interfaces) return ExtcapCall::kInterfaces;
  if (r.dlts) {
    InterfaceKind(r, "--extcap-dlts");
    return ExtcapCall::kDlts;
  }
  if (r.config) {
    InterfaceKind(r, "--extcap-config");
    return r.reload_option ? ExtcapCall::kReloadOption : ExtcapCall::kConfig;
  }
  if (r.capture_filter) {
    InterfaceKind(r, "--extcap-capture-filter");
    return ExtcapCall::kFilterCheck;
  }
  if (r.version) return ExtcapCall::kVersion;
  throw Usage("tell tockctl extcap what to do",
              "Wireshark passes --extcap-interfaces, --extcap-dlts, --extcap-config or --capture; "
              "to set tockctl up in Wireshark run: tockctl extcap --install");
}

std::vector<ExtcapArg> ExtcapConfigArgs(ExtcapSourceKind kind) {
  std::vector<ExtcapArg> args = LinkArgs(kind);
  args.push_back(Flag("--ipc", "IPC records only",
                      "Only IPC records: register, discover, connect, messages, RPC, memory, "
                      "upcalls (with Network records only: both)",
                      "Filter"));
  args.push_back(Flag("--net", "Network records only",
                      "Only network records: interface up and down, frames sent and received, "
                      "drops, deliveries",
                      "Filter"));
  args.push_back(
      Text("--process", "Process", "Only records naming this process, e.g. net_service"));
  args.push_back(Text("--service", "Service", "Only records of this IPC service, e.g. net.svc"));
  args.push_back(Text("--iface", "Device interface",
                      "Only network records of this device interface, e.g. wpan0"));
  args.push_back({"--save-raw", "Save raw stream",
                  "Also write the raw trace bytes to this file (replacing it), for tockctl trace "
                  "--replay",
                  ExtcapArgType::kFileSelect, "", "", "Output"});
  return args;
}

std::string ExtcapReply(ExtcapCall call, const ExtcapRequest& request,
                        const ExtcapProgramInfo& info, SourceInventory& inventory) {
  switch (call) {
    case ExtcapCall::kVersion:
      return RenderExtcapHeader(info.version, info.help);
    case ExtcapCall::kInterfaces:
      return InterfacesReply(info, inventory);
    case ExtcapCall::kDlts:
      return RenderExtcapDlts(
          {{kLinktypeUser0, "USER0",
            "Tock trace (pcapng: one interface per device interface, USER0 for IPC records)"}});
    case ExtcapCall::kConfig:
      return RenderExtcapConfig(ExtcapConfigArgs(*ExtcapKindOf(*request.interface)));
    case ExtcapCall::kReloadOption:  // no option has values to reload
    case ExtcapCall::kCapture:
      return "";
    case ExtcapCall::kFilterCheck:
      return FilterCheckReply(request);
  }
  return "";
}

void RunExtcapRequest(const ExtcapRequest& request, const ExtcapProgramInfo& info,
                      const ExtcapCaptureEnvironment& env, std::FILE* out) {
  const ExtcapCall call = ClassifyExtcapRequest(request);
  if (call != ExtcapCall::kCapture) {
    std::fputs(ExtcapReply(call, request, info, *env.inventory).c_str(), out);
    std::fflush(out);
    return;
  }
  ExtcapCaptureOptions options = request.options;
  options.interface = *request.interface;
  options.fifo = *request.fifo;
  RunExtcapCapture(options, env);
}

}  // namespace tockctl::tracer
