#include "gantry/common/clock.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gantry {
namespace {

// Real clocks run on in fractions of a millisecond and are read truncated.
// This models two moments of one host whose wall clock runs `offset` ms
// (fractional) ahead of its monotonic clock, read as Clock::now() reads them.
Now readAt(double mono_exact, double offset) {
  return {static_cast<TimeMs>(std::floor(mono_exact + offset)),
          static_cast<TimeMs>(std::floor(mono_exact))};
}

// A delayed job must not start before its run_at as the wall clock shows it.
// The broker places run_at on the monotonic time line from one reading and
// starts the job at a later one; every combination of fractions below must
// still show the wall clock at or past run_at.
TEST(Now, AJobDueByMonoWhenWallShowsItNeverStartsBeforeItsWallTime) {
  for (double offset_fraction = 0.0; offset_fraction < 1.0; offset_fraction += 0.05) {
    const double offset = 1'700'000'000'000.0 + offset_fraction;
    for (double submit_fraction = 0.0; submit_fraction < 1.0; submit_fraction += 0.05) {
      const Now submitted = readAt(5'000'000.0 + submit_fraction, offset);
      const TimeMs run_at = submitted.wall_ms + 300;
      const TimeMs due = submitted.monoWhenWallShows(run_at);
      // The earliest moment the monotonic clock reads `due`.
      const Now started = readAt(static_cast<double>(due), offset);
      EXPECT_GE(started.wall_ms, run_at)
          << "offset fraction " << offset_fraction << ", submit fraction " << submit_fraction;
    }
  }
}

TEST(Now, AWallTimeAlreadyShownIsDueAtOnce) {
  const Now now{1'700'000'000'000, 5'000'000};
  EXPECT_EQ(now.monoWhenWallShows(now.wall_ms), now.mono_ms);
  EXPECT_EQ(now.monoWhenWallShows(now.wall_ms - 60'000), now.mono_ms);
  EXPECT_EQ(now.monoWhenWallShows(0), now.mono_ms);
}

TEST(Now, ConvertsBetweenTheTwoTimeLines) {
  const Now now{1'700'000'000'000, 5'000'000};
  EXPECT_EQ(now.monoAt(now.wall_ms + 250), now.mono_ms + 250);
  EXPECT_EQ(now.wallAt(now.mono_ms - 250), now.wall_ms - 250);
}

}  // namespace
}  // namespace gantry
