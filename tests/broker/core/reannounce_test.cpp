// A worker that lost its session comes back: what its re-announce costs,
// and how the broker keeps its view of the worker's slots right.
#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

constexpr uint64_t kInstance = 0x5EED;

wire::Envelope lastOther(CoreHarness& h) {
  auto others = h.takeOtherMessages();
  return others.empty() ? wire::Envelope{} : others.back().envelope;
}

TEST(Reannounce, NamesTheMessageThatFoundNoSession) {
  CoreHarness h;
  h.core().onHeartbeat({"ghost", 17}, h.now());
  const wire::Envelope reannounce = h.core().takeEffects().to_workers.at(0).envelope;
  ASSERT_TRUE(reannounce.has_reannounce());
  EXPECT_EQ(reannounce.correlation_id(), 17u);
  EXPECT_EQ(h.core().counters().reannounces_asked, 1u);
}

// The same process re-announcing on a new connection never got the jobs
// assigned to its old one: they go back without costing an attempt, and
// run again at once.
TEST(Reannounce, TheSameProcessGivesBackAssignmentsThatNeverReachedIt) {
  CoreHarness h;
  const uint64_t a = h.submit(h.spec("noop"));
  const uint64_t b = h.submit(h.spec("noop"));
  h.hello("w1", 2, {"noop"}, {}, kInstance);
  ASSERT_EQ(h.takeAssigned().size(), 2u);

  wire::WorkerHello hello;
  hello.set_worker_id("w1");
  hello.set_instance(kInstance);
  hello.set_slots(2);
  hello.add_kinds("noop");
  h.core().onHello({"w1-new"}, hello, h.now());
  const Effects effects = h.core().takeEffects();

  EXPECT_EQ(h.core().counters().failed_attempts, 0u);
  EXPECT_EQ(h.core().counters().workers_lost, 0u);
  EXPECT_EQ(h.core().findActive(a)->attempt(),
            1u);  // the new attempt; the lost one gave its number back
  EXPECT_EQ(h.core().findActive(b)->attempt(), 1u);
  int assigned = 0;
  for (const auto& message : effects.to_workers) {
    assigned += message.envelope.has_assign() && message.routing_id == "w1-new";
  }
  EXPECT_EQ(assigned, 2);
  int handed_back = 0;
  for (const auto& attempt : effects.writes.attempts()) {
    handed_back += attempt.outcome == wire::OUTCOME_HANDED_BACK;
  }
  EXPECT_EQ(handed_back, 2);
}

// A new process under the same worker id may have crashed on its jobs: the
// attempts count, so a job that kills its worker cannot loop forever.
TEST(Reannounce, ANewProcessUnderTheSameIdCountsTheLostAttempts) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"}, {}, kInstance);
  ASSERT_EQ(h.takeAssigned().size(), 1u);
  h.hello("w1", 1, {"noop"}, {}, kInstance + 1);
  EXPECT_EQ(h.core().counters().failed_attempts, 1u);
  EXPECT_EQ(h.core().findActive(id)->attempt(), 2u);
}

// After its session was dropped, a worker re-announces the attempts it still
// runs. The broker has given them to others, but the worker's threads stay
// busy until it reports them, so they count against its slots: the broker
// must not assign work the worker would have to hand back.
TEST(Reannounce, AttemptsTheWorkerStillRunsKeepItsSlotsBusyUntilReported) {
  BrokerConfig config;
  CoreHarness h(config);
  const uint64_t first = h.submit(h.spec("sleep"));
  h.hello("w1", 1, {"sleep"}, {}, kInstance);
  const Assigned old = h.takeAssigned().at(0);
  h.silence("w1");
  h.advance(config.livenessMs() + 1);  // w1 is dropped; `first` is queued again
  ASSERT_EQ(h.core().counters().workers_lost, 1u);

  h.hello("w1", 1, {"sleep"}, {{first, old.lease}}, kInstance);
  EXPECT_TRUE(h.takeAssigned().empty()) << "assigned to a worker with no free thread";
  EXPECT_TRUE(lastOther(h).has_cancel_job());
  EXPECT_EQ(h.core().workers(h.now()).workers(0).busy(), 1u);

  h.result(old, wire::OUTCOME_CANCELLED);  // superseded: stale, but frees the thread
  EXPECT_EQ(h.core().counters().stale_results, 1u);
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, first);
  EXPECT_NE(assigned[0].lease, old.lease);
}

// A lease the broker gave up on while its worker stays connected: the worker
// may still run it, so its slot stays busy for one more grace period at
// most, or until the worker reports it.
TEST(Reannounce, AnExpiredLeaseKeepsItsSlotBusyForAGracePeriod) {
  BrokerConfig config;
  config.lease_grace_ms = 500;
  config.default_policy.backoff = {100, 100};
  CoreHarness h(config);
  wire::JobSpec spec = h.spec("sleep");
  spec.set_timeout_ms(1000);
  h.submit(spec);
  h.submit(h.spec("sleep"));
  h.hello("w1", 1, {"sleep"});
  ASSERT_EQ(h.takeAssigned().size(), 1u);
  h.advance(1500);  // timeout plus grace: the broker gives up on it
  EXPECT_EQ(h.core().counters().failed_attempts, 1u);
  EXPECT_TRUE(h.takeAssigned().empty());
  h.advance(500);
  EXPECT_EQ(h.takeAssigned().size(), 1u);
}

}  // namespace
}  // namespace gantry::broker::testing
