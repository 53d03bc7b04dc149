// The one seam for time. Everything that waits, expires or schedules takes a
// Clock& (or a `Now` argument) so tests can drive time by hand.
//
// Two clocks, for two purposes:
//  - wall time (CLOCK_REALTIME, unix milliseconds) is what is persisted and
//    shown: created/started/finished times, a job's run_at;
//  - monotonic time (CLOCK_MONOTONIC, milliseconds since an arbitrary start)
//    measures intervals: leases, liveness, timeouts, delays, backoff.
// Wall time may jump (NTP steps it, a VM resumes); monotonic time only moves
// forward at a steady rate, so a jump of the wall clock never expires a
// lease, kills a worker or fires a timeout early.
#pragma once

#include <cstdint>

namespace gantry {

// Milliseconds: since the Unix epoch for wall times, since an arbitrary
// fixed point for monotonic times. The two never mix in one expression.
using TimeMs = int64_t;

// One moment, read from both clocks.
struct Now {
  TimeMs wall_ms = 0;
  TimeMs mono_ms = 0;

  // The monotonic time at which the wall clock (as it runs now) shows
  // `wall_ms`: how a persisted wall time becomes a point on the monotonic
  // time line.
  TimeMs monoAt(TimeMs wall) const { return mono_ms + (wall - wall_ms); }
  // The wall time that corresponds to monotonic time `mono`.
  TimeMs wallAt(TimeMs mono) const { return wall_ms + (mono - mono_ms); }
  // The first monotonic millisecond at which the wall clock (as it runs now)
  // is sure to show `wall`: at once if it already does, else one millisecond
  // after monoAt(). Both readings are truncated to whole milliseconds, so
  // their difference is only known to within one; without the margin a
  // delayed job could start a millisecond before its run_at.
  TimeMs monoWhenWallShows(TimeMs wall) const {
    return wall <= wall_ms ? mono_ms : monoAt(wall) + 1;
  }
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe in all implementations.
  virtual TimeMs wallMs() const = 0;
  virtual TimeMs monoMs() const = 0;
  // The monotonic clock is read first, so the wall reading is never older
  // than the monotonic one (see Now::monoWhenWallShows).
  Now now() const {
    const TimeMs mono = monoMs();
    return {wallMs(), mono};
  }
};

// The real clocks (CLOCK_REALTIME and CLOCK_MONOTONIC).
class SystemClock final : public Clock {
 public:
  TimeMs wallMs() const override;
  TimeMs monoMs() const override;
  // A process-wide instance; it has no state.
  static SystemClock& instance();
};

}  // namespace gantry
