// Writing results to standard output (or another stdio stream) so that a failed write is an error:
// a full disk or a closed pipe must not end a command with exit 0 and its output cut short.
#pragma once

#include <cstdio>
#include <string_view>

namespace tockctl {

/// Writes `text` to `stream` and flushes it. Throws Error(kIo) naming `name` ("standard output")
/// with the system's reason when the write or the flush fails, or an earlier write had failed.
void WriteToStream(std::FILE* stream, std::string_view text,
                   std::string_view name = "standard output");

/// Flushes `stream`; throws like WriteToStream if this or any earlier write to it failed.
void FlushStream(std::FILE* stream, std::string_view name = "standard output");

}  // namespace tockctl
