// The precompiled header of the libraries that share compile flags (tockctl_module(... SHARED_PCH),
// cmake/TockctlModule.cmake): the standard and third-party headers most of their files include,
// parsed once for all of them instead of once per unity batch. Only such headers belong here, so
// that a change to tockctl's own headers never rebuilds it.
#pragma once

#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
