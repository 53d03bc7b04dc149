// A clock the test moves by hand, for every suite. Both clocks start at fixed
// points; advance() moves them together, as time passing does, and
// stepWall() moves only the wall clock, as an NTP step or a resumed VM does.
// Thread-safe: a worker's I/O thread reads it while the test moves it.
#pragma once

#include <atomic>

#include "gantry/common/clock.h"

namespace gantry::test {

class FakeClock final : public Clock {
 public:
  static constexpr TimeMs kStartWallMs = 1'700'000'000'000;  // 2023-11-14
  static constexpr TimeMs kStartMonoMs = 5'000'000;

  FakeClock() = default;
  explicit FakeClock(TimeMs wall_ms) : wall_ms_(wall_ms) {}

  TimeMs wallMs() const override { return wall_ms_.load(); }
  TimeMs monoMs() const override { return mono_ms_.load(); }

  void advance(TimeMs ms) {
    wall_ms_ += ms;
    mono_ms_ += ms;
  }
  void stepWall(TimeMs ms) { wall_ms_ += ms; }

 private:
  std::atomic<TimeMs> wall_ms_{kStartWallMs};
  std::atomic<TimeMs> mono_ms_{kStartMonoMs};
};

}  // namespace gantry::test
