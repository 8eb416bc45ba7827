// The tockctl(1) manual page in roff, generated from a CommandSpec tree plus fixed prose.
#pragma once

#include <string>

#include "common/command_spec.h"

namespace tockctl {

/// The whole man page: NAME, SYNOPSIS, DESCRIPTION (hand-written), GLOBAL OPTIONS and COMMANDS
/// (from `root`), EXIT STATUS (from ErrorCategory), ENVIRONMENT, FILES, SEE ALSO. Does not fail.
std::string ManPage(const CommandSpec& root, const std::string& version);

/// `text` escaped for roff: backslashes, hyphens as \-, and a leading '.' or '\'' guarded.
std::string RoffEscape(const std::string& text);

}  // namespace tockctl
