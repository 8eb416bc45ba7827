// The precompiled header of every GoogleTest binary (cmake/TockctlModule.cmake): the heavy
// headers nearly every test file includes, parsed once per test binary instead of once per file.
// Only third-party and standard headers belong here, so that a change to tockctl's own headers
// never rebuilds it.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>
