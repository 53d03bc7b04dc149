// Durations and times as operators type and read them: "500ms", "30s",
// "1m30s"; "2024-05-01 12:00:00Z"; "5m ago". Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"

namespace gantry::tools {

// Longest duration accepted anywhere (a year); bounds arithmetic on run-at
// times and catches unit slips such as 5000000h.
inline constexpr int64_t kMaxDurationMs = 366LL * 24 * 3600 * 1000;

// Parses a non-negative duration: one or more <integer><unit> terms with
// units ms, s, m, h, d ("500ms", "30s", "5m", "1h30m"). A bare number is
// refused because its unit would be a guess. kInvalidArgument says what is
// wrong and shows the accepted forms.
Result<int64_t> parseDurationMs(std::string_view text);

// Compact rendering with at most two units: "450ms", "12s", "4m12s",
// "3h05m", "2d03h". Negative values are rendered as their magnitude.
std::string formatDurationMs(int64_t ms);

// "12s ago", "in 4m12s", "now" (within a second).
std::string formatRelative(TimeMs then, TimeMs now);

// UTC, second precision: "2024-05-01 12:00:00Z".
std::string formatTimestamp(TimeMs ms);

}  // namespace gantry::tools
