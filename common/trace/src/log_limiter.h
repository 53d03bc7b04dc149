// Lets a repeated warning through at most once per interval, so a collector
// that stays down for an hour costs a handful of log lines, not thousands.
// Not thread-safe: one thread owns it.
#pragma once

#include <cstdint>
#include <optional>

#include "gantry/common/clock.h"

namespace gantry::trace {

class LogLimiter {
 public:
  // `clock` must outlive the limiter.
  LogLimiter(const Clock& clock, TimeMs interval_ms) : clock_(clock), interval_ms_(interval_ms) {}

  // For one occurrence: nullopt when it is to be held back, else how many
  // were held back since the last one let through (the first always is).
  std::optional<uint64_t> allow() {
    const TimeMs now = clock_.monoMs();
    if (last_ms_ && now - *last_ms_ < interval_ms_) {
      ++held_back_;
      return std::nullopt;
    }
    last_ms_ = now;
    const uint64_t held = held_back_;
    held_back_ = 0;
    return held;
  }

 private:
  const Clock& clock_;
  const TimeMs interval_ms_;
  std::optional<TimeMs> last_ms_;
  uint64_t held_back_ = 0;
};

}  // namespace gantry::trace
