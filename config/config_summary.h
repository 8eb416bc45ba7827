// The human view of a board JSON file printed by `tockctl config show`.
#pragma once

#include <string>

#include "config/config_validator.h"

namespace tockctl::config {

/// A few aligned lines about the board, then an IPC and a network table; sections the file
/// lacks are said to be absent. Never throws.
std::string DescribeBoardConfig(const CheckedBoardConfig& config);

}  // namespace tockctl::config
