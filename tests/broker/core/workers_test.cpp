// Worker sessions: liveness, re-announce, and recovery after a restart.
#include "core_harness.h"
#include "gantry/common/codec.h"

namespace gantry::broker::testing {
namespace {

TEST(Workers, SilentWorkerIsDeclaredDeadAndItsJobsRunElsewhere) {
  BrokerConfig config;
  config.default_policy.backoff = {100, 100};
  CoreHarness h(config);
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  h.takeAssigned();
  h.hello("w2", 1, {"noop"});
  h.silence("w1");
  h.advance(h.config().livenessMs() + 1);
  EXPECT_EQ(h.core().counters().workers_lost, 1u);
  h.advance(h.config().default_policy.backoff.base_ms);
  auto again = h.takeAssigned();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].job_id, id);
  EXPECT_EQ(again[0].routing_id, "w2");
  EXPECT_EQ(h.core().findActive(id)->attempt(), 2u);  // the lost attempt counts
}

TEST(Workers, DisconnectedWorkerIsLostAtOnceAndItsJobsRunElsewhere) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  h.takeAssigned();
  h.hello("w2", 1, {"noop"});
  EXPECT_EQ(h.disconnect("w1"), std::optional<std::string>("w1"));
  EXPECT_EQ(h.core().counters().workers_lost, 1u);
  auto again = h.takeAssigned();  // no time passes: no backoff, no window
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].job_id, id);
  EXPECT_EQ(again[0].routing_id, "w2");
  EXPECT_EQ(h.core().findActive(id)->attempt(), 2u);
  EXPECT_EQ(h.core().workerRoutingIds(), std::vector<std::string>{"w2"});
}

TEST(Workers, DisconnectOfAnUnknownConnectionChangesNothing) {
  CoreHarness h;
  h.hello("w1", 1, {"noop"});
  EXPECT_EQ(h.disconnect("ghost"), std::nullopt);
  EXPECT_EQ(h.core().counters().workers_lost, 0u);
  EXPECT_EQ(h.core().workerRoutingIds(), std::vector<std::string>{"w1"});
}

wire::Progress progressOf(const Assigned& a, uint32_t percent, const std::string& message) {
  wire::Progress p;
  p.set_job_id(a.job_id);
  p.set_lease(a.lease);
  p.set_percent(percent);
  p.set_message(message);
  return p;
}

TEST(Workers, RunningAttemptShowsItsLastProgressUntilItEnds) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("sleep"));
  h.hello("w1", 1, {"sleep"});
  const Assigned a = h.takeAssigned().at(0);
  EXPECT_FALSE(h.core().findActive(id)->has_progress());

  h.core().onProgress({"w1"}, progressOf(a, 40, "downloading"), h.now());
  auto job = h.core().findActive(id);
  EXPECT_TRUE(job->has_progress());
  EXPECT_EQ(job->progress_percent(), 40u);
  EXPECT_EQ(job->progress_message(), "downloading");

  h.core().onProgress({"w1"}, progressOf(a, 250, std::string(5000, 'x')), h.now());
  job = h.core().findActive(id);
  EXPECT_EQ(job->progress_percent(), 100u);
  EXPECT_EQ(job->progress_message().size(), kMaxProgressMessageBytes);

  // Only the attempt's own worker, with its lease, reports on it.
  h.hello("w2", 1, {"sleep"});
  h.core().onProgress({"w2"}, progressOf(a, 1, "other worker"), h.now());
  Assigned wrong_lease = a;
  wrong_lease.lease ^= 2;
  h.core().onProgress({"w1"}, progressOf(wrong_lease, 2, "old lease"), h.now());
  EXPECT_EQ(h.core().findActive(id)->progress_percent(), 100u);

  h.result(a, wire::OUTCOME_RETRYABLE, "try again");
  EXPECT_FALSE(h.core().findActive(id)->has_progress());
}

TEST(Workers, BusyWorkerThatHeartbeatsIsNotDeclaredDead) {
  CoreHarness h;
  h.submit(h.spec("sleep"));
  h.hello("w1", 1, {"sleep"});
  h.takeAssigned();
  h.advance(10 * h.config().livenessMs());
  EXPECT_EQ(h.core().counters().workers_lost, 0u);
}

TEST(Workers, UnknownWorkerIsAskedToReannounce) {
  CoreHarness h;
  h.heartbeat("ghost");
  auto messages = h.takeOtherMessages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].routing_id, "ghost");
  EXPECT_TRUE(messages[0].envelope.has_reannounce());
}

TEST(Workers, ReconnectingWorkerKeepsTheLeasesItStillHolds) {
  CoreHarness h;
  const uint64_t kept = h.submit(h.spec("sleep"));
  const uint64_t lost = h.submit(h.spec("sleep"));
  h.hello("conn1", 2, {"sleep"});
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 2u);
  const Assigned& a = assigned[0].job_id == kept ? assigned[0] : assigned[1];
  // Same worker id on a new connection, holding only `kept`.
  wire::WorkerHello hello;
  hello.set_worker_id("conn1");
  hello.set_slots(2);
  hello.add_kinds("sleep");
  auto* held = hello.add_held();
  held->set_job_id(kept);
  held->set_lease(a.lease);
  h.core().onHello({"conn2"}, hello, h.now());
  Effects effects = h.core().takeEffects();
  EXPECT_EQ(h.core().findActive(kept)->attempt(), 1u);  // adopted, not re-run
  // The job the worker no longer holds failed its attempt and runs again
  // at once (its worker, not the job, was at fault).
  EXPECT_EQ(h.core().findActive(lost)->attempt(), 2u);
  ASSERT_EQ(effects.to_workers.size(), 1u);
  EXPECT_EQ(effects.to_workers[0].envelope.assign().job().id(), lost);
  Assigned via_new = a;
  via_new.routing_id = "conn2";
  h.result(via_new, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.lastState(kept), wire::SUCCEEDED);
}

JobRow runningRow(uint64_t id, uint64_t lease, TimeMs wall) {
  JobRow row;
  row.id = id;
  row.fixed.queue = "default";
  row.fixed.kind = "sleep";
  row.fixed.max_attempts = 3;
  row.fixed.timeout_ms = 60'000;
  row.fixed.created_at_ms = wall;
  row.status.state = wire::RUNNING;
  row.status.attempt = 1;
  row.status.started_at_ms = wall;
  row.status.worker_id = "w1";
  row.status.lease = lease;
  return row;
}

TEST(Workers, RestartedBrokerAdoptsJobsTheirWorkerStillRuns) {
  CoreHarness h;
  h.restore({runningRow(7, 1234, h.wall())}, 7);
  h.hello("w1", 1, {"sleep"}, {{7, 1234}});
  EXPECT_TRUE(h.takeAssigned().empty());  // the slot is taken by job 7
  h.result({"w1", 7, 1234, "sleep"}, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.lastState(7), wire::SUCCEEDED);
  EXPECT_EQ(h.submit(h.spec("noop")), 8u);  // ids continue after recovery
}

TEST(Workers, RecoveredJobWhoseWorkerNeverReturnsIsRequeuedAfterTheGrace) {
  BrokerConfig config;
  config.default_policy.backoff = {100, 100};
  config.recovery_grace_ms = 2000;
  CoreHarness h(config);
  h.restore({runningRow(7, 1234, h.wall())}, 7);
  h.hello("w2", 1, {"sleep"});
  h.advance(1999);
  EXPECT_TRUE(h.takeAssigned().empty());
  h.advance(1);  // the grace ends: the attempt fails and a retry is scheduled
  h.advance(config.default_policy.backoff.base_ms);
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, 7u);
}

}  // namespace
}  // namespace gantry::broker::testing
