// Semantic checks of the "network" section against itself, the "ipc" section and the hardware.
#pragma once

#include "config/board.h"
#include "config/ipc_config.h"
#include "config/network_config.h"
#include "config/validation_report.h"

namespace tockctl::config {

/// Stacks that can run over `kind`.
std::vector<NetworkStack> StacksFor(NetworkKind kind);
/// Placements `stack` can run in.
std::vector<StackPlacement> PlacementsFor(NetworkStack stack);

/// Adds a finding for every rule `network` (read from `pointer`) breaks. `ipc` (for service
/// references) and `board` (for hardware rules) may be null; the rules needing them are skipped.
void CheckNetworkRules(const NetworkConfig& network, const std::string& pointer,
                       const IpcConfig* ipc, const HardwareBoard* board, ValidationReport& report);

}  // namespace tockctl::config
