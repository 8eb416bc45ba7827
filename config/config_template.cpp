#include "config/config_template.h"

#include <sys/stat.h>

#include <map>

#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "config/board_catalog.h"
#include "config/config_validator.h"
#include "config/hardware_address.h"
#include "config/ipc_rules.h"
#include "config/json_document.h"
#include "config/object_reader.h"

namespace tockctl::config {
namespace {

using Json = nlohmann::ordered_json;

Json LoadTemplate(const std::filesystem::path& path) { return JsonDocument::Load(path).root(); }

// The interface template for one hardware entry: most specific file first.
std::filesystem::path InterfaceTemplate(const std::filesystem::path& dir,
                                        const NetworkHardware& hw) {
  std::vector<std::string> names;
  if (hw.driver_num != 0) names.push_back(hw.kind + "-" + HexNumber(hw.driver_num) + ".json");
  if (hw.driver_num == 0) names.push_back(hw.kind + "-nodriver.json");
  names.push_back(hw.kind + ".json");
  for (const auto& name : names)
    if (std::filesystem::exists(dir / "network" / name)) return dir / "network" / name;
  return dir / "network" / names.back();  // LoadTemplate reports it missing
}

// Replaces placeholder strings anywhere in `value`.
void Fill(Json& value, const std::map<std::string, std::string>& fills) {
  if (value.is_string()) {
    auto it = fills.find(value.get<std::string>());
    if (it != fills.end()) value = it->second;
    return;
  }
  if (value.is_structured())
    for (auto& item : value) Fill(item, fills);
}

Json InterfaceFor(const std::filesystem::path& dir, const std::string& board,
                  const NetworkHardware& hw) {
  Json iface = LoadTemplate(InterfaceTemplate(dir, hw));
  std::string seed = board + "/" + hw.name;
  Fill(iface, {{"{name}", hw.name},
               {"{hardware}", hw.name},
               {"{mac}", FormatHardwareAddress(DeriveHardwareAddress(seed, kMacBytes))},
               {"{eui64}", FormatHardwareAddress(DeriveHardwareAddress(seed, kEui64Bytes))}});
  return iface;
}

}  // namespace

Json BuildInitialConfig(const Json& board_json, const HardwareBoard& board,
                        const std::filesystem::path& templates_dir) {
  Json out = LoadTemplate(templates_dir / "board-config.json");
  out["format"] = kBoardFormatVersion;
  out["board"] = board_json;
  if (!CanShareMemory(board.protection))
    out["ipc"].merge_patch(LoadTemplate(templates_dir / "ipc" / "copy.json"));
  Json& interfaces = out["network"]["interfaces"];
  if (!interfaces.is_array()) interfaces = Json::array();
  for (const NetworkHardware& hw : board.network_hardware)
    interfaces.push_back(InterfaceFor(templates_dir, board.name, hw));
  return out;
}

void InitConfigFile(const std::filesystem::path& data_dir, const std::string& board_name,
                    const std::string& out_path, bool force) {
  InitConfigFile(BoardSearch::From(data_dir, nullptr, nullptr, nullptr), data_dir / "templates",
                 board_name, out_path, {force, false});
}

void InitConfigFile(const BoardSearch& search, const std::filesystem::path& templates_dir,
                    const std::string& board_name, const std::string& out_path,
                    const InitOptions& options) {
  BoardCatalog catalog = BoardCatalog::Load(search);
  const CatalogEntry& entry = catalog.FindEntry(board_name);
  struct stat st {};
  if (!options.force && ::stat(out_path.c_str(), &st) == 0) {
    ErrorContext ctx;
    ctx.file = out_path;
    throw Error(ErrorCategory::kUsage, "already exists; not overwriting it", ctx,
                "use --force to replace it, or choose another -o FILE");
  }
  Json config = BuildInitialConfig(entry.json, entry.board, templates_dir);
  if (options.reference) config["board"] = entry.board.name;
  WriteFileAtomic(out_path, FormatJson(config));
}

}  // namespace tockctl::config
