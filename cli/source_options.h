// The device-source options `tockctl trace` and `tockctl console` share (--serial, --usb, --tcp,
// --qemu, --baud, ...): one definition, so both commands take the same flags.
#pragma once

#include <CLI/CLI.hpp>

#include "tracer/trace_source.h"

namespace tockctl::cli {

/// Adds the source options to `cmd`, storing into `flags`; --replay only with `with_replay`.
void AddSourceOptions(CLI::App& cmd, tracer::SourceFlags& flags, bool with_replay);

}  // namespace tockctl::cli
