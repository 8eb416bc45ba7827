// The text of Wireshark's extcap protocol: the `extcap`, `interface`, `dlt`, `arg` and `value`
// sentences an extcap program prints for --extcap-interfaces, --extcap-dlts and --extcap-config
// (docs/extcap.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tockctl::tracer {

/// One capture interface: `interface {value=...}{display=...}`.
struct ExtcapInterface {
  std::string value;    ///< What Wireshark passes back as --extcap-interface.
  std::string display;  ///< What Wireshark shows in its interface list.
};

/// One link type: `dlt {number=...}{name=...}{display=...}`.
struct ExtcapDlt {
  int number = 0;
  std::string name;
  std::string display;
};

/// The extcap argument types tockctl offers.
enum class ExtcapArgType { kInteger, kString, kBoolFlag, kFileSelect };

/// One configuration argument, shown in Wireshark's interface options dialog and passed back as
/// `call VALUE` (or `call` alone for a ticked kBoolFlag).
struct ExtcapArg {
  std::string call;  ///< "--baud"
  std::string display;
  std::string tooltip;
  ExtcapArgType type = ExtcapArgType::kString;
  std::string default_value;  ///< Empty: none.
  std::string range;          ///< kInteger: "MIN,MAX"; empty: none.
  std::string group;          ///< The tab of the options dialog.
};

/// `text` made safe inside `{...}`: braces become parentheses, control characters spaces.
std::string ExtcapText(std::string_view text);

/// `extcap {version=...}{help=...}` and a newline.
std::string RenderExtcapHeader(std::string_view version, std::string_view help);

/// One `interface` line per entry.
std::string RenderExtcapInterfaces(const std::vector<ExtcapInterface>& interfaces);

/// One `dlt` line per entry.
std::string RenderExtcapDlts(const std::vector<ExtcapDlt>& dlts);

/// One `arg` line per entry, numbered from 0 in order.
std::string RenderExtcapConfig(const std::vector<ExtcapArg>& args);

}  // namespace tockctl::tracer
