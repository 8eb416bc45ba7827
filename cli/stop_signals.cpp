#include "cli/stop_signals.h"

#include <csignal>

namespace tockctl::cli {
namespace {

// A signal handler can only reach static storage; lock-free atomics are async-signal-safe.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

struct sigaction g_old_int;
struct sigaction g_old_term;
struct sigaction g_old_hup;

extern "C" void OnStopSignal(int) { g_stop.store(true); }

void Install(int sig, struct sigaction* old) {
  struct sigaction sa = {};
  sa.sa_handler = &OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second signal gets the default action: terminate
  sigaction(sig, &sa, old);
}

}  // namespace

ScopedStopSignals::ScopedStopSignals() {
  g_stop.store(false);
  Install(SIGINT, &g_old_int);
  Install(SIGTERM, &g_old_term);
  Install(SIGHUP, &g_old_hup);
}

ScopedStopSignals::~ScopedStopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGHUP, &g_old_hup, nullptr);
}

const std::atomic<bool>& ScopedStopSignals::stop_requested() const { return g_stop; }

}  // namespace tockctl::cli
