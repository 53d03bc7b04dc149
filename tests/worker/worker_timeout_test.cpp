// Deadlines, driven by a fake clock: the worker reads time only through
// the injected Clock, so the test decides when a deadline has passed.
#include "worker_harness.h"

namespace gantry::worker::testing {
namespace {

class WorkerTimeout : public WorkerHarnessTest {
 protected:
  WorkerConfig manualConfig() const {
    WorkerConfig c = config();
    c.concurrency = 1;
    // Time only moves when the test says; keep the silence window beyond
    // the largest jump so that no reconnect interferes.
    c.liveness = 100000;
    return c;
  }

  // Moves time and wakes the worker (any broker message does).
  void advance(TimeMs ms) {
    manual_clock_.advance(ms);
    broker_->send(route_, heartbeat());
  }
};

TEST_F(WorkerTimeout, DeadlineReportsRetryableAndHoldsCreditUntilHandlerReturns) {
  start(manualConfig(), manual_clock_);
  broker_->send(route_, assign(1, 10, "stubborn", {}, 1, 5000));
  ASSERT_TRUE(stubborn_->waitEntered(1));
  advance(5000);

  // The thread is still busy, so the slot is withdrawn before the result
  // tells the broker the attempt is over.
  auto credit = broker_->nextNonHeartbeat();
  ASSERT_TRUE(credit.has_value());
  ASSERT_EQ(credit->envelope.body_case(), Body::kCredit) << bodyName(credit->envelope);
  EXPECT_EQ(credit->envelope.credit().slots(), 0u);
  const wire::JobResult timed_out = nextResult();
  EXPECT_EQ(timed_out.job_id(), 1u);
  EXPECT_EQ(timed_out.lease(), 10u);
  EXPECT_EQ(timed_out.outcome(), wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(timed_out.error(), "timed out after 5000 ms");

  // No oversubscription while the handler hangs on.
  const wire::JobResult refused = runJob(2, "echo", "x");
  EXPECT_EQ(refused.outcome(), wire::OUTCOME_HANDED_BACK);

  // When it finally returns, the slot comes back and its late result is
  // not reported a second time.
  stubborn_->open();
  auto restored = broker_->nextNonHeartbeat();
  ASSERT_TRUE(restored.has_value());
  ASSERT_EQ(restored->envelope.body_case(), Body::kCredit) << bodyName(restored->envelope);
  EXPECT_EQ(restored->envelope.credit().slots(), 1u);
  const wire::JobResult next = runJob(3, "echo", "after");
  EXPECT_EQ(next.job_id(), 3u);
  EXPECT_EQ(next.result(), "after");
  EXPECT_EQ(stubborn_->lastCancel(), CancelReason::kTimeout);
  EXPECT_EQ(runner_->worker().stats().jobs_timed_out, 1u);
}

TEST_F(WorkerTimeout, CooperativeHandlerIsCancelledWithReasonTimeout) {
  start(manualConfig(), manual_clock_);
  broker_->send(route_, assign(4, 40, "gate", {}, 1, 100));
  ASSERT_TRUE(gate_->waitEntered(1));
  advance(100);
  auto result = broker_->nextOf(Body::kResult);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->envelope.result().outcome(), wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(result->envelope.result().error(), "timed out after 100 ms");
  // The handler returns promptly on its token, so the slot is restored.
  const Deadline deadline;
  for (;;) {
    auto credit = broker_->nextOf(Body::kCredit, deadline.left());
    ASSERT_TRUE(credit.has_value()) << "credit never restored";
    if (credit->envelope.credit().slots() == 1) {
      break;
    }
  }
  EXPECT_EQ(gate_->lastCancel(), CancelReason::kTimeout);
}

// The deadline runs on the monotonic clock from when the job arrived: a
// step of the wall clock (NTP, a resumed VM) neither fires it nor moves it.
TEST_F(WorkerTimeout, AWallClockStepNeitherFiresNorMovesTheDeadline) {
  start(manualConfig(), manual_clock_);
  broker_->send(route_, assign(5, 50, "gate", {}, 1, 5000));
  ASSERT_TRUE(gate_->waitEntered(1));
  manual_clock_.stepWall(TimeMs{3600} * 1000);
  advance(4999);
  // Still running: a job sent now finds the only slot taken.
  EXPECT_EQ(runJob(6, "echo", "busy").outcome(), wire::OUTCOME_HANDED_BACK);
  advance(1);
  auto result = broker_->nextOf(Body::kResult);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->envelope.result().job_id(), 5u);
  EXPECT_EQ(result->envelope.result().error(), "timed out after 5000 ms");
}

TEST_F(WorkerTimeout, NoDeadlineMeansNoTimeout) {
  start(manualConfig(), manual_clock_);
  broker_->send(route_, assign(7, 70, "gate"));  // timeout 0: none
  ASSERT_TRUE(gate_->waitEntered(1));
  advance(TimeMs{24} * 3600 * 1000);
  gate_->open();
  const wire::JobResult result = nextResult();
  EXPECT_EQ(result.outcome(), wire::OUTCOME_SUCCEEDED);
}

}  // namespace
}  // namespace gantry::worker::testing
