// Retries, dead letters, cancellation, stale results and hand-backs.
#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

BrokerConfig retryConfig() {
  BrokerConfig config;
  config.default_policy.backoff = {100, 1000};
  config.default_policy.max_attempts = 3;
  return config;
}

TEST(Outcomes, SuccessIsFinalAndRecorded) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  h.result(h.takeAssigned().at(0), wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.lastState(id), wire::SUCCEEDED);
  ASSERT_EQ(h.attempts().size(), 1u);
  EXPECT_EQ(h.attempts()[0].outcome, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.core().liveJobs(), 0u);
}

TEST(Outcomes, RetryableFailureBacksOffThenSucceeds) {
  CoreHarness h(retryConfig());
  const uint64_t id = h.submit(h.spec("flaky"));
  h.hello("w1", 1, {"flaky"});
  h.result(h.takeAssigned().at(0), wire::OUTCOME_RETRYABLE, "upstream 503");
  EXPECT_EQ(h.lastState(id), wire::FAILED);
  // The retry is not before its backoff and not after the first ceiling.
  h.advance(100);
  auto retry = h.takeAssigned();
  ASSERT_EQ(retry.size(), 1u);
  h.result(retry[0], wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.lastState(id), wire::SUCCEEDED);
  EXPECT_EQ(h.attempts().size(), 2u);
}

TEST(Outcomes, ExhaustedAttemptsGoDead) {
  CoreHarness h(retryConfig());
  const uint64_t id = h.submit(h.spec("flaky"));
  h.hello("w1", 1, {"flaky"});
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto assigned = h.takeAssigned();
    ASSERT_EQ(assigned.size(), 1u) << "attempt " << attempt;
    h.result(assigned[0], wire::OUTCOME_RETRYABLE, "boom");
    h.advance(1000);
  }
  EXPECT_EQ(h.lastState(id), wire::DEAD);
  EXPECT_TRUE(h.takeAssigned().empty());
  EXPECT_EQ(h.core().counters().dead, 1u);
}

TEST(Outcomes, FatalGoesDeadAtOnce) {
  CoreHarness h(retryConfig());
  const uint64_t id = h.submit(h.spec("fatal"));
  h.hello("w1", 1, {"fatal"});
  h.result(h.takeAssigned().at(0), wire::OUTCOME_FATAL, "token expired");
  EXPECT_EQ(h.lastState(id), wire::DEAD);
  EXPECT_EQ(h.attempts().size(), 1u);
}

TEST(Outcomes, StaleResultIsIgnoredAndCounted) {
  CoreHarness h(retryConfig());
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  Assigned first = h.takeAssigned().at(0);
  Assigned forged = first;
  forged.lease ^= 0xff;
  h.result(forged, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.core().counters().stale_results, 1u);
  EXPECT_EQ(h.lastState(id), wire::RUNNING);
  h.result(first, wire::OUTCOME_SUCCEEDED);
  h.result(first, wire::OUTCOME_SUCCEEDED);  // duplicate report
  EXPECT_EQ(h.core().counters().stale_results, 2u);
  EXPECT_EQ(h.core().counters().succeeded, 1u);
}

TEST(Outcomes, CancelQueuedRemovesIt) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  wire::CancelRequest request;
  request.add_ids(id);
  auto reply = h.core().cancel(request, h.now());
  EXPECT_TRUE(reply.outcomes(0).ok());
  h.core().takeEffects();
  h.hello("w1", 1, {"noop"});
  EXPECT_TRUE(h.takeAssigned().empty());
  EXPECT_EQ(h.core().liveJobs(), 0u);
}

TEST(Outcomes, CancelRunningTellsTheWorkerAndEndsCancelled) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("sleep"));
  h.hello("w1", 1, {"sleep"});
  Assigned a = h.takeAssigned().at(0);
  wire::CancelRequest request;
  request.add_ids(id);
  EXPECT_TRUE(h.core().cancel(request, h.now()).outcomes(0).ok());
  Effects effects = h.core().takeEffects();
  ASSERT_EQ(effects.to_workers.size(), 1u);
  EXPECT_EQ(effects.to_workers[0].envelope.cancel_job().job_id(), id);
  EXPECT_EQ(effects.to_workers[0].envelope.cancel_job().lease(), a.lease);
  // Even a handler that fails while stopping ends cancelled, not retried.
  h.result(a, wire::OUTCOME_RETRYABLE, "interrupted");
  EXPECT_EQ(h.lastState(id), wire::CANCELLED);
}

TEST(Outcomes, CancelUnknownJobReportsIt) {
  CoreHarness h;
  wire::CancelRequest request;
  request.add_ids(999);
  auto reply = h.core().cancel(request, h.now());
  EXPECT_FALSE(reply.outcomes(0).ok());
  EXPECT_NE(reply.outcomes(0).message().find("999"), std::string::npos);
}

TEST(Outcomes, HandedBackJobIsRequeuedWithoutCountingAnAttempt) {
  CoreHarness h(retryConfig());
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  wire::WorkerCredit draining;  // a shutting-down worker stops taking work first
  h.core().onCredit({"w1"}, draining, h.now());
  h.result(h.takeAssigned().at(0), wire::OUTCOME_HANDED_BACK);
  EXPECT_EQ(h.lastState(id), wire::QUEUED);
  h.hello("w2", 1, {"noop"});
  auto again = h.takeAssigned();
  ASSERT_EQ(again.size(), 1u);
  auto job = h.core().findActive(id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->attempt(), 1u);
}

// The stored row must give the same rank as memory, or a restart would
// send the handed-back job behind jobs submitted after it.
TEST(Outcomes, HandedBackJobKeepsItsPlaceAcrossARestart) {
  CoreHarness h;
  const uint64_t first = h.submit(h.spec("noop"));
  h.advance(10);
  const uint64_t second = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  ASSERT_EQ(assigned[0].job_id, first);
  h.advance(10);
  wire::WorkerCredit draining;
  h.core().onCredit({"w1"}, draining, h.now());
  h.result(assigned[0], wire::OUTCOME_HANDED_BACK);

  // Restart from what was persisted: the inserts with later transitions.
  std::vector<JobRow> stored;
  for (JobRow row : h.inserts()) {
    for (const JobTransition& t : h.transitions()) {
      if (t.id == row.id) {
        row.status = t.status;
      }
    }
    stored.push_back(row);
  }
  CoreHarness restarted;
  restarted.clock().advance(10);
  restarted.restore(stored, second);
  restarted.hello("w2", 1, {"noop"});
  auto again = restarted.takeAssigned();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].job_id, first);
}

TEST(Outcomes, TimeoutWithoutReportFailsTheAttemptAndCancelsOnWorker) {
  BrokerConfig config = retryConfig();
  config.lease_grace_ms = 500;
  CoreHarness h(config);
  auto s = h.spec("sleep");
  s.set_timeout_ms(1000);
  const uint64_t id = h.submit(s);
  h.hello("w1", 1, {"sleep"});
  h.takeAssigned();
  h.advance(1500);  // past deadline + grace; the worker keeps heartbeating
  EXPECT_EQ(h.lastState(id), wire::FAILED);
  bool cancel_sent = false;
  for (const auto& m : h.takeOtherMessages()) {
    cancel_sent |= m.envelope.has_cancel_job();
  }
  EXPECT_TRUE(cancel_sent);
}

}  // namespace
}  // namespace gantry::broker::testing
