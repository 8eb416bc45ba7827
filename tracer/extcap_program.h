// `tockctl extcap` as Wireshark calls it: the calls of the extcap protocol (list interfaces, link
// types and options; check a capture filter; capture into a FIFO), told apart and answered.
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tracer/extcap_capture.h"
#include "tracer/extcap_format.h"
#include "tracer/extcap_sources.h"

namespace tockctl::tracer {

/// Everything Wireshark (or a user) passed to `tockctl extcap`.
struct ExtcapRequest {
  bool interfaces = false;                    ///< --extcap-interfaces
  std::optional<std::string> version;         ///< --extcap-version[=WIRESHARK_VERSION]
  std::optional<std::string> interface;       ///< --extcap-interface VALUE
  bool dlts = false;                          ///< --extcap-dlts
  bool config = false;                        ///< --extcap-config
  std::optional<std::string> reload_option;   ///< --extcap-reload-option ARG
  std::optional<std::string> capture_filter;  ///< --extcap-capture-filter FILTER
  bool capture = false;                       ///< --capture
  std::optional<std::string> fifo;            ///< --fifo PATH
  std::optional<std::string> control_in;      ///< --extcap-control-in (accepted, unused)
  std::optional<std::string> control_out;     ///< --extcap-control-out (accepted, unused)
  ExtcapCaptureOptions options;               ///< The interface options (interface, fifo unset).
};

/// The calls of the extcap protocol.
enum class ExtcapCall {
  kVersion,       ///< --extcap-version alone
  kInterfaces,    ///< --extcap-interfaces
  kDlts,          ///< --extcap-dlts
  kConfig,        ///< --extcap-config
  kReloadOption,  ///< --extcap-config --extcap-reload-option
  kFilterCheck,   ///< --extcap-capture-filter without --capture
  kCapture,       ///< --capture --fifo
};

/// What tockctl says about itself in the `extcap` sentence.
struct ExtcapProgramInfo {
  std::string version;  ///< tockctl's version.
  std::string help;     ///< Where its documentation is (docs/extcap.md).
};

/// The `help` of the extcap sentence: a file:// URL of docs/extcap.md, found from the data
/// directory (the source tree, or share/tockctl next to the installed share/doc/tockctl).
std::string ExtcapHelpLink(const std::filesystem::path& data_dir);

/// Which call `request` is. Throws Error(kUsage) when it is none, several, or lacks what it needs
/// (--extcap-interface, --fifo), names an interface tockctl does not have, or sets a capture
/// filter on a capture.
ExtcapCall ClassifyExtcapRequest(const ExtcapRequest& request);

/// The options Wireshark offers for an interface of `kind` (the `arg`s of --extcap-config).
std::vector<ExtcapArg> ExtcapConfigArgs(ExtcapSourceKind kind);

/// What tockctl prints on stdout for `call` (every call but kCapture). Never throws for a host
/// without devices.
std::string ExtcapReply(ExtcapCall call, const ExtcapRequest& request,
                        const ExtcapProgramInfo& info, SourceInventory& inventory);

/// Answers `request`: prints the reply to `out`, or runs the capture. Throws as
/// ClassifyExtcapRequest and RunExtcapCapture do.
void RunExtcapRequest(const ExtcapRequest& request, const ExtcapProgramInfo& info,
                      const ExtcapCaptureEnvironment& env, std::FILE* out);

}  // namespace tockctl::tracer
