// Semantic checks of the "ipc" section against itself and the board's hardware.
#pragma once

#include "config/board.h"
#include "config/ipc_config.h"
#include "config/validation_report.h"

namespace tockctl::config {

/// True if the board's protection unit can give two processes the same buffer: not an
/// ARMv6-M/ARMv7-M MPU, whose regions must be power-of-two sized and aligned to their size.
bool CanShareMemory(const Protection& protection);

/// The back-end actually used: "auto" becomes copy or shared depending on the board.
IpcBackend EffectiveBackend(IpcBackend backend, const Protection& protection);

/// Protection regions a process has left for IPC buffers (app_regions - process_reserved).
uint32_t FreeProcessRegions(const Protection& protection);

/// Adds a finding for every rule `ipc` (read from `pointer`) breaks; `board` may be null when
/// the hardware part could not be read, in which case hardware rules are skipped.
void CheckIpcRules(const IpcConfig& ipc, const std::string& pointer, const HardwareBoard* board,
                   ValidationReport& report);

}  // namespace tockctl::config
