// Human-readable views of boards for `tockctl boards list` and `tockctl boards show`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/board.h"
#include "config/board_catalog.h"

namespace tockctl::config {

/// The `boards list` table: a header row, then one row per board in name order (name, chip,
/// core, protection, default flash method, network hardware).
std::vector<std::vector<std::string>> BoardListRows(const BoardCatalog& catalog);

/// Every board object of the catalog, in name order (the `boards list --json` array).
nlohmann::ordered_json BoardListJson(const BoardCatalog& catalog);

/// "ble 0x30000, ieee802154 0x30001", "ethernet (kernel only)", or "-" when there is none.
std::string NetworkSummary(const HardwareBoard& board);

/// Multi-line description of one board: identity, memory map in hex with sizes in KiB,
/// protection limits, flash methods, console, trace and network hardware.
std::string DescribeBoard(const HardwareBoard& board);

/// "256 KiB", "0.5 KiB", "126.4 KiB" (bytes / 1024, one decimal when not whole).
std::string KibText(uint64_t bytes);

}  // namespace tockctl::config
