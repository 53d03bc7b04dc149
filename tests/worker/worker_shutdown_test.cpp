// Graceful shutdown: stop taking work, let running jobs finish within the
// grace period, hand back the rest, flush, return.
#include <set>

#include "worker_harness.h"

namespace gantry::worker::testing {
namespace {

class WorkerShutdown : public WorkerHarnessTest {
 protected:
  void expectZeroCredit() {
    auto credit = broker_->nextNonHeartbeat();
    ASSERT_TRUE(credit.has_value());
    ASSERT_EQ(credit->envelope.body_case(), Body::kCredit) << bodyName(credit->envelope);
    EXPECT_EQ(credit->envelope.credit().slots(), 0u);
  }
};

TEST_F(WorkerShutdown, RunningJobsAreHandedBackWhenGraceRunsOut) {
  auto c = config();
  c.shutdown_grace_ms = 50;
  start(c);
  broker_->send(route_, assign(1, 10, "gate"));
  broker_->send(route_, assign(2, 20, "gate"));
  ASSERT_TRUE(gate_->waitEntered(2));
  runner_->worker().requestStop();

  expectZeroCredit();
  std::set<uint64_t> handed_back;
  for (int i = 0; i < 2; ++i) {
    const wire::JobResult result = nextResult();
    EXPECT_EQ(result.outcome(), wire::OUTCOME_HANDED_BACK);
    EXPECT_EQ(result.lease(), result.job_id() * 10);
    handed_back.insert(result.job_id());
  }
  EXPECT_EQ(handed_back, (std::set<uint64_t>{1, 2}));
  const auto status = runner_->waitStopped();
  ASSERT_TRUE(status.has_value()) << "run() did not return after the hand-back";
  EXPECT_TRUE(status->isOk()) << status->toString();
  EXPECT_EQ(gate_->lastCancel(), CancelReason::kShutdown);
  EXPECT_EQ(runner_->worker().runningHandlers(), 0u);
}

TEST_F(WorkerShutdown, RunningJobFinishesWithinGraceAndNewWorkIsHandedBack) {
  auto c = config();
  c.shutdown_grace_ms = 60000;  // never reached: the job is let go first
  start(c);
  broker_->send(route_, assign(3, 30, "gate"));
  ASSERT_TRUE(gate_->waitEntered(1));
  runner_->worker().requestStop();
  expectZeroCredit();

  // An assign racing the credit is refused at once, without an attempt.
  const wire::JobResult raced = runJob(4, "noop");
  EXPECT_EQ(raced.job_id(), 4u);
  EXPECT_EQ(raced.outcome(), wire::OUTCOME_HANDED_BACK);

  gate_->open();
  const wire::JobResult finished = nextResult();
  EXPECT_EQ(finished.job_id(), 3u);
  EXPECT_EQ(finished.outcome(), wire::OUTCOME_SUCCEEDED);
  const auto status = runner_->waitStopped();
  ASSERT_TRUE(status.has_value()) << "run() did not return once the job finished";
  EXPECT_TRUE(status->isOk());
  EXPECT_EQ(gate_->lastCancel(), CancelReason::kNone);
}

TEST_F(WorkerShutdown, IdleWorkerStopsAtOnce) {
  start(config());
  runner_->worker().requestStop();
  expectZeroCredit();
  const auto status = runner_->waitStopped();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->isOk());
}

}  // namespace
}  // namespace gantry::worker::testing
