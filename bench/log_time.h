// Reading when a Gantry process logged something, from its JSON log lines
// ({"ts":"2026-11-23T07:00:00.123Z",...,"msg":"..."}), to split a measured
// interval into the phases the process reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gantry::bench {

// When `log` first has a line whose msg is `message`, in Unix ms (the lines
// carry UTC to the millisecond); nullopt when it has none or the line's
// time does not parse.
std::optional<int64_t> loggedAtMs(const std::string& log, const std::string& message);

}  // namespace gantry::bench
