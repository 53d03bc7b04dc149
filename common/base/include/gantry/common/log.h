// Structured logs: one JSON object per line on stderr, with ts, level,
// component, msg and any fields given (job_id, worker_id, trace_id, ...).
// Thread-safe (spdlog's synchronized sink). Never log payloads or secrets.
#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace gantry::log {

using Fields = std::initializer_list<std::pair<const char*, nlohmann::json>>;

// The levels init() takes, for checking a --log-level setting.
inline constexpr std::array<std::string_view, 6> kLevelNames = {"trace", "debug", "info",
                                                                "warn",  "error", "off"};

// REQUIRES: called once at start, before other threads log.
// level: one of kLevelNames. Unknown levels fall back to info.
void init(std::string_view component, std::string_view level);

void debug(std::string_view msg, Fields fields = {});
void info(std::string_view msg, Fields fields = {});
void warn(std::string_view msg, Fields fields = {});
void error(std::string_view msg, Fields fields = {});

}  // namespace gantry::log
