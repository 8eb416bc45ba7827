// The option vocabulary shared by every command (docs/cli.md, "One vocabulary"): the device a
// command talks to is --serial PATH, --usb VID:PID[:SERIAL] or --tcp HOST:PORT; an image read
// in is --input-format; the file a command writes is -o/--output. Spellings older commands used
// (--port, --probe, --remote, --format for an input, -w/--write) stay as hidden aliases for one
// release; giving an alias and its new spelling together is a usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "flasher/flash_job.h"

namespace tockctl::cli {

/// Adds `alias`, a hidden old spelling of `canonical` that writes the same `value`; giving both
/// is a usage error.
CLI::Option* AddHiddenAlias(CLI::App& cmd, const std::string& alias,
                            std::optional<std::string>& value, CLI::Option* canonical);

/// --serial, --usb and --tcp for the device that flash, info and run write or read through (a
/// serial bootloader or Black Magic Probe, a USB probe or boot ROM, a GDB server), in `group`,
/// with the hidden aliases --port, --probe and --remote.
void AddFlashDeviceOptions(CLI::App& cmd, flasher::FlashRequest& request, const std::string& group);

/// --input-format for an image read in (elf, bin, ihex, uf2), in `group`; with `format_alias`
/// also the hidden old spelling --format.
void AddInputFormatOption(CLI::App& cmd, std::optional<std::string>& format,
                          const std::string& group, bool format_alias);

}  // namespace tockctl::cli
