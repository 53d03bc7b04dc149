// The one seam for time. Everything that waits, expires or schedules takes a
// Clock& (or a `now` argument) so tests can drive time by hand.
#pragma once

#include <cstdint>

namespace gantry {

// Milliseconds since the Unix epoch.
using TimeMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in unix milliseconds. Thread-safe in all implementations.
  virtual TimeMs nowMs() const = 0;
};

// The real clock (CLOCK_REALTIME).
class SystemClock final : public Clock {
 public:
  TimeMs nowMs() const override;
  // A process-wide instance; it has no state.
  static SystemClock& instance();
};

// Monotonic milliseconds, for measuring intervals only.
int64_t monotonicMs();

}  // namespace gantry
