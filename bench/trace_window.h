// --windows: prints each measured interval as CLOCK_MONOTONIC seconds, the
// clock `perf record -k CLOCK_MONOTONIC` stamps samples with, so a profile
// of the whole benchmark can be cut down to what was measured.
#pragma once

#include <chrono>
#include <string>

namespace gantry::bench {

void enableWindowTrace(bool enabled);
// REQUIRES: start and end come from std::chrono::steady_clock
// (CLOCK_MONOTONIC on Linux).
void noteWindow(const std::string& label, std::chrono::steady_clock::time_point start,
                std::chrono::steady_clock::time_point end);

}  // namespace gantry::bench
