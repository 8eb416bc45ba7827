// Keeping user-facing text on one line when it quotes what came from files and devices.
#pragma once

#include <string>
#include <string_view>

namespace tockctl {

/// `text` with control characters (bytes below 0x20, and 0x7f) written as \xNN, so that text
/// quoted from a file or a device cannot break a one-line message; all other bytes are kept.
std::string OneLine(std::string_view text);

}  // namespace tockctl
