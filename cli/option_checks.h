// Checks for numeric command-line options whose errors read plainly: "--count: must be at least 1,
// got 0" (CLI11's own range checks print the type's limits in full, e.g. 1.79769e+308).
#pragma once

#include <CLI/CLI.hpp>

namespace tockctl::cli {

/// Accepts a number >= `min`; otherwise "must be at least MIN, got VALUE".
CLI::Validator AtLeast(double min);

/// Accepts a number > `bound`; otherwise "must be more than BOUND, got VALUE".
CLI::Validator MoreThan(double bound);

}  // namespace tockctl::cli
