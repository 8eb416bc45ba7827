// The Rust module `tockctl build` generates from a board JSON file: the "ipc" and "network"
// sections as constants and statics of the tock-config crate's types (docs/build.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/board.h"
#include "config/board_resolution.h"
#include "config/ipc_config.h"
#include "config/network_config.h"
#include "config/trace_config.h"

namespace tockctl::kernel {

/// File name of the generated module inside the board's src/ directory.
inline constexpr const char* kConfigModuleFile = "tockctl_config.rs";
/// Template the module is made from, relative to the data directory.
inline constexpr const char* kConfigModuleTemplate = "templates/tockctl_config.rs.in";
/// Template of the tracer's part of the module (when "trace" is on), relative to the data dir.
inline constexpr const char* kTraceModuleTemplate = "templates/tockctl_trace.rs.in";

/// What the module is generated from: a checked board file.
struct ConfigModuleSource {
  config::HardwareBoard board;
  std::optional<config::IpcConfig> ipc;          ///< Absent: the file has no "ipc" (IPC off).
  std::optional<config::NetworkConfig> network;  ///< Absent: no "network" (no interfaces).
  std::optional<config::TraceConfig> trace;      ///< Absent: no "trace" (tracer off).
  std::string path;               ///< Where the file was read from (empty for a catalog board).
  std::string file_name;          ///< File name written in the header, without directories.
  std::string sha256;             ///< SHA-256 of the file's bytes.
  bool catalog_defaults = false;  ///< Made from a catalog board with `config init` defaults.
};

/// Reads and checks a board JSON file. Throws Error(kIo) if unreadable, Error(kInvalidInput)
/// at the first error (file, line, column, pointer) when the file has any.
ConfigModuleSource LoadConfigModuleSource(const std::string& path);

/// The catalog board `board_name` of `data_dir`/boards with the default "ipc" and "network"
/// sections `tockctl config init` writes; file_name and sha256 are those of the file
/// `tockctl config init BOARD -o BOARD.json` would write. Throws Error(kUsage) for an unknown
/// board (naming the closest ones).
ConfigModuleSource CatalogConfigModuleSource(const std::filesystem::path& data_dir,
                                             const std::string& board_name);

/// The module's source for a resolved board: the board file's sections (--config), or the
/// catalog board with `config init` defaults (--board).
ConfigModuleSource ConfigModuleSourceFor(const config::ResolvedBoard& resolved,
                                         const std::filesystem::path& data_dir);

/// The values of the template's placeholders for `source`; `trace_template` is the text of
/// templates/tockctl_trace.rs.in (read from `trace_file`), expanded into @TRACE@ when the tracer
/// is on. Throws Error(kInvalidInput) when the tracer is on for a board whose catalog entry has
/// no trace.rust facts.
std::map<std::string, std::string> ConfigModuleValues(const ConfigModuleSource& source,
                                                      std::string_view trace_template = {},
                                                      const std::string& trace_file = {});

/// True if `source` turns the tracer on (a "trace" section with "enabled": true).
bool TraceEnabled(const ConfigModuleSource& source);

/// The 802.15.4 interface of "network" that the tracer's radio shim records.
struct TracedRadioInterface {
  size_t iface_id = 0;           ///< Its number in HELLO (and the shim's iface_id).
  std::string name;              ///< The interface's "name".
  std::vector<uint8_t> eui64;    ///< Its "eui64", or 8 zeros.
  bool eui64_from_file = false;  ///< False when the interface has no "eui64".
};

/// A "network" interface one of the tracer's shims records.
struct TracedShimInterface {
  size_t iface_id = 0;  ///< Its number in HELLO (and the shim's iface_id).
  std::string name;     ///< The interface's "name".
};

/// The interface the TraceEthernet shim records: with the tracer on, the first Ethernet
/// interface of "network" on the catalog's board.trace.rust.ethernet hardware; nullopt when the
/// tracer is off, the board has no Ethernet shim facts or no interface uses that hardware.
std::optional<TracedShimInterface> TracedEthernet(const ConfigModuleSource& source);

/// The interface the TraceRadio shim records: with the tracer on, the "network" interface on
/// the catalog's board.trace.rust.radio hardware; nullopt when the tracer is off, the board has
/// no radio facts or no interface uses that radio.
std::optional<TracedRadioInterface> TracedRadio(const ConfigModuleSource& source);

/// The module text: `template_text` (read from `template_file`) expanded for `source`. Throws
/// Error(kInvalidInput) for an unknown placeholder in the template.
std::string RenderConfigModule(const ConfigModuleSource& source, std::string_view template_text,
                               const std::string& template_file,
                               std::string_view trace_template = {},
                               const std::string& trace_file = {});

/// The module text from `data_dir`/templates/tockctl_config.rs.in. Throws Error(kIo) if the
/// template cannot be read.
std::string RenderConfigModule(const ConfigModuleSource& source,
                               const std::filesystem::path& data_dir);

/// Writes `content` to `path` atomically unless the file already holds exactly these bytes (its
/// mtime is then kept, so cargo does not rebuild). Returns true if the file was written. Throws
/// Error(kIo) when it cannot be read or written.
bool WriteIfChanged(const std::filesystem::path& path, std::string_view content);

}  // namespace tockctl::kernel
