// SIGINT/SIGTERM/SIGHUP handling for long-running commands: the first signal asks the running loop
// to stop cleanly (flush files, print statistics); a second one terminates at once.
#pragma once

#include <atomic>

namespace tockctl::cli {

/// Installs SIGINT, SIGTERM and SIGHUP (terminal closed) handlers for its lifetime and restores the
/// previous ones after.
class ScopedStopSignals {
 public:
  ScopedStopSignals();
  ~ScopedStopSignals();
  ScopedStopSignals(const ScopedStopSignals&) = delete;
  ScopedStopSignals& operator=(const ScopedStopSignals&) = delete;

  /// Becomes true when SIGINT, SIGTERM or SIGHUP arrives.
  const std::atomic<bool>& stop_requested() const;
};

}  // namespace tockctl::cli
