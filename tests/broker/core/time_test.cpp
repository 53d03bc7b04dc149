// Wall time stamps what is stored and shown; intervals run on the monotonic
// clock. A step of the wall clock (NTP, a resumed VM) changes no lease,
// liveness or delay.
#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

constexpr TimeMs kHour = TimeMs{3600} * 1000;

TEST(Time, AWallClockStepKillsNoWorkerAndExpiresNoLease) {
  BrokerConfig config;
  CoreHarness h(config);
  wire::JobSpec spec = h.spec("sleep");
  spec.set_timeout_ms(60'000);
  const uint64_t id = h.submit(spec);
  h.hello("w1", 1, {"sleep"});
  const Assigned running = h.takeAssigned().at(0);
  h.stepWall(kHour);
  h.advance(TimeMs{config.heartbeat_ms} * 2);
  h.stepWall(-2 * kHour);
  h.advance(TimeMs{config.heartbeat_ms} * 2);
  EXPECT_EQ(h.core().counters().workers_lost, 0u);
  EXPECT_EQ(h.core().counters().failed_attempts, 0u);
  EXPECT_TRUE(h.attempts().empty());
  h.result(running, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.lastState(id), wire::SUCCEEDED);
}

TEST(Time, AWallClockStepNeitherFiresNorHoldsBackADelay) {
  CoreHarness h;
  h.hello("w1", 1, {"noop"});
  wire::JobSpec spec = h.spec("noop");
  spec.set_run_at_ms(h.wall() + 5000);
  const uint64_t id = h.submit(spec);
  h.stepWall(kHour);  // forward: the job is not due yet for all that
  h.advance(4000);
  EXPECT_TRUE(h.takeAssigned().empty());
  h.stepWall(-2 * kHour);  // back: not held back an hour either
  h.advance(1001);         // due 5000 ms after the submit, plus 1 ms of margin
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, id);
}

TEST(Time, StoredTimesAreWallTimes) {
  CoreHarness h;
  h.stepWall(kHour);
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  EXPECT_EQ(h.core().findActive(id)->created_at_ms(), h.wall());
  EXPECT_EQ(h.core().findActive(id)->started_at_ms(), h.wall());
  EXPECT_EQ(h.core().workers(h.now()).workers(0).last_seen_ms(), h.wall());
}

}  // namespace
}  // namespace gantry::broker::testing
