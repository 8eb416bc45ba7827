// Helpers every flasher test file uses: a logger that drops everything and the Error a call throws.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <memory>

#include "common/error.h"

namespace tockctl::flasher::testing {

/// A logger that drops everything.
inline std::shared_ptr<spdlog::logger> QuietLog() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

/// Runs `f` and returns the Error it throws; a test failure if it throws none.
template <class F>
Error Capture(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an Error";
  return Error(ErrorCategory::kInternal, "no error");
}

}  // namespace tockctl::flasher::testing
