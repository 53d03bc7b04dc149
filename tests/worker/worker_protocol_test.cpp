// The worker against a fake broker over real ZeroMQ sockets: announce,
// assignments, results per handler, cancellation, progress, bad input.
#include <unistd.h>

#include <stdexcept>

#include "worker_harness.h"

namespace gantry::worker::testing {
namespace {

class ThrowingHandler final : public Handler {
 public:
  HandlerResult run(JobContext&) override {
    // Invalid UTF-8 on purpose: the report must still be a valid message.
    throw std::runtime_error("boom \xff!");
  }
};

class ProgressHandler final : public Handler {
 public:
  HandlerResult run(JobContext& ctx) override {
    ctx.reportProgress(50, "halfway");
    return HandlerResult::succeeded();
  }
};

class WorkerProtocol : public WorkerHarnessTest {
 protected:
  WorkerProtocol() {
    EXPECT_TRUE(registry_.add("throw", std::make_unique<ThrowingHandler>()).isOk());
    EXPECT_TRUE(registry_.add("progress", std::make_unique<ProgressHandler>()).isOk());
    auto finisher =
        std::make_unique<GateHandler>(HandlerResult::succeeded("finished anyway"), false);
    finisher_ = finisher.get();
    EXPECT_TRUE(registry_.add("finisher", std::move(finisher)).isOk());
  }

  ~WorkerProtocol() override { finisher_->open(); }

  GateHandler* finisher_ = nullptr;  // ignores cancel, succeeds when opened
};

TEST_F(WorkerProtocol, HelloAnnouncesIdentityKindsAndSlots) {
  auto c = config();
  c.concurrency = 3;
  c.kinds = {"noop", "echo"};
  const wire::WorkerHello hello = start(c);
  EXPECT_EQ(hello.worker_id(), "test-worker");
  EXPECT_EQ(hello.host(), hostName());
  EXPECT_EQ(hello.pid(), static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(std::vector<std::string>(hello.kinds().begin(), hello.kinds().end()),
            (std::vector<std::string>{"echo", "noop"}));
  EXPECT_EQ(hello.slots(), 3u);
  EXPECT_EQ(hello.held_size(), 0);
}

TEST_F(WorkerProtocol, HelloAnnouncesEveryRegisteredKindByDefault) {
  const wire::WorkerHello hello = start(config());
  EXPECT_EQ(std::vector<std::string>(hello.kinds().begin(), hello.kinds().end()),
            registry_.kinds());
}

TEST_F(WorkerProtocol, EchoResultCarriesThePayload) {
  start(config());
  const std::string payload("bytes\0with nul", 14);
  const wire::JobResult result = runJob(1, "echo", payload);
  EXPECT_EQ(result.job_id(), 1u);
  EXPECT_EQ(result.lease(), 10u);
  EXPECT_EQ(result.outcome(), wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(result.result(), payload);
}

TEST_F(WorkerProtocol, NoopSucceedsWithEmptyResult) {
  start(config());
  const wire::JobResult result = runJob(2, "noop");
  EXPECT_EQ(result.outcome(), wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(result.result(), "");
}

TEST_F(WorkerProtocol, FlakyFailsThenSucceedsByAttempt) {
  start(config());
  const wire::JobResult first = runJob(3, "flaky", "2", 1);
  EXPECT_EQ(first.outcome(), wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(first.error(), "flaky: failing attempt 1 of 2");
  const wire::JobResult second = runJob(3, "flaky", "2", 2);
  EXPECT_EQ(second.outcome(), wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(second.error(), "flaky: failing attempt 2 of 2");
  EXPECT_EQ(runJob(3, "flaky", "2", 3).outcome(), wire::OUTCOME_SUCCEEDED);
}

TEST_F(WorkerProtocol, FatalHandlerReportsFatal) {
  start(config());
  const wire::JobResult result = runJob(4, "fatal");
  EXPECT_EQ(result.outcome(), wire::OUTCOME_FATAL);
  EXPECT_FALSE(result.error().empty());
}

TEST_F(WorkerProtocol, SleepWithBadPayloadReportsFatal) {
  start(config());
  const wire::JobResult result = runJob(5, "sleep", "soon");
  EXPECT_EQ(result.outcome(), wire::OUTCOME_FATAL);
  EXPECT_NE(result.error().find("decimal number of milliseconds"), std::string::npos);
}

TEST_F(WorkerProtocol, ThrowingHandlerReportsRetryableAndWorkerCarriesOn) {
  start(config());
  const wire::JobResult thrown = runJob(6, "throw");
  EXPECT_EQ(thrown.outcome(), wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(thrown.error(), "handler threw: boom ?!");
  EXPECT_EQ(runJob(7, "echo", "still alive").result(), "still alive");
}

TEST_F(WorkerProtocol, CancelJobStopsSleepingHandlerWithCancelled) {
  start(config());
  broker_->send(route_, assign(8, 80, "sleep", "3600000"));
  broker_->send(route_, cancelJob(8, 80));
  const wire::JobResult result = nextResult();
  EXPECT_EQ(result.job_id(), 8u);
  EXPECT_EQ(result.lease(), 80u);
  EXPECT_EQ(result.outcome(), wire::OUTCOME_CANCELLED);
}

TEST_F(WorkerProtocol, FailureAfterCancelIsReportedAsCancelled) {
  start(config());
  broker_->send(route_, assign(9, 90, "stubborn"));
  ASSERT_TRUE(stubborn_->waitEntered(1));
  broker_->send(route_, cancelJob(9, 90));
  // The stubborn handler ignores the token and returns RETRYABLE when let go;
  // the job was cancelled, so that is what the broker hears. Ping-pong a job
  // first so the cancel has surely been applied before the gate opens.
  EXPECT_EQ(runJob(10, "noop").job_id(), 10u);
  stubborn_->open();
  const wire::JobResult result = nextResult();
  EXPECT_EQ(result.job_id(), 9u);
  EXPECT_EQ(result.outcome(), wire::OUTCOME_CANCELLED);
  EXPECT_EQ(stubborn_->lastCancel(), CancelReason::kCancelled);
}

TEST_F(WorkerProtocol, SuccessAfterCancelStaysSucceeded) {
  start(config());
  broker_->send(route_, assign(11, 110, "finisher"));
  ASSERT_TRUE(finisher_->waitEntered(1));
  broker_->send(route_, cancelJob(11, 110));
  EXPECT_EQ(runJob(12, "noop").job_id(), 12u);
  finisher_->open();
  const wire::JobResult result = nextResult();
  EXPECT_EQ(result.job_id(), 11u);
  EXPECT_EQ(result.outcome(), wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(result.result(), "finished anyway");
}

TEST_F(WorkerProtocol, ProgressIsForwardedBeforeTheResult) {
  start(config());
  broker_->send(route_, assign(13, 130, "progress"));
  auto progress = broker_->nextNonHeartbeat();
  ASSERT_TRUE(progress.has_value());
  ASSERT_EQ(progress->envelope.body_case(), Body::kProgress);
  EXPECT_EQ(progress->envelope.progress().job_id(), 13u);
  EXPECT_EQ(progress->envelope.progress().lease(), 130u);
  EXPECT_EQ(progress->envelope.progress().percent(), 50u);
  EXPECT_EQ(progress->envelope.progress().message(), "halfway");
  EXPECT_EQ(nextResult().outcome(), wire::OUTCOME_SUCCEEDED);
}

TEST_F(WorkerProtocol, AssignBeyondFreeSlotsIsHandedBack) {
  auto c = config();
  c.concurrency = 1;
  start(c);
  broker_->send(route_, assign(14, 140, "gate"));
  const wire::JobResult refused = runJob(15, "noop");
  EXPECT_EQ(refused.job_id(), 15u);
  EXPECT_EQ(refused.outcome(), wire::OUTCOME_HANDED_BACK);
  gate_->open();
  const wire::JobResult finished = nextResult();
  EXPECT_EQ(finished.job_id(), 14u);
  EXPECT_EQ(finished.outcome(), wire::OUTCOME_SUCCEEDED);
}

TEST_F(WorkerProtocol, KindNotAnnouncedIsRetryableNotRun) {
  auto c = config();
  c.kinds = {"echo"};
  start(c);
  const wire::JobResult result = runJob(16, "sleep", "1");
  EXPECT_EQ(result.outcome(), wire::OUTCOME_RETRYABLE);
  EXPECT_NE(result.error().find("does not run kind 'sleep'"), std::string::npos);
}

wire::Envelope reannounceFor(uint64_t sequence) {
  wire::Envelope reannounce;
  reannounce.set_correlation_id(sequence);
  reannounce.mutable_reannounce();
  return reannounce;
}

TEST_F(WorkerProtocol, ReannounceResendsHelloWithHeldLeases) {
  const wire::WorkerHello first = start(config());
  broker_->send(route_, assign(17, 170, "gate"));
  ASSERT_TRUE(gate_->waitEntered(1));
  // The broker lost the session after the hello: a later message found none.
  broker_->send(route_, reannounceFor(hello_sequence_ + 1));
  auto hello = broker_->nextNonHeartbeat();
  ASSERT_TRUE(hello.has_value());
  ASSERT_EQ(hello->envelope.body_case(), Body::kHello);
  ASSERT_EQ(hello->envelope.hello().held_size(), 1);
  EXPECT_EQ(hello->envelope.hello().held(0).job_id(), 17u);
  EXPECT_EQ(hello->envelope.hello().held(0).lease(), 170u);
  EXPECT_EQ(hello->envelope.hello().slots(), 2u);
  // The same process: the broker tells a re-announce from a restart by it.
  EXPECT_NE(first.instance(), 0u);
  EXPECT_EQ(hello->envelope.hello().instance(), first.instance());
}

// After a lost session every message the worker had queued (heartbeats,
// results) draws a Reannounce naming it. One hello answers them all: a
// hello per Reannounce would replace the new session again and again.
TEST_F(WorkerProtocol, ReannouncesOfMessagesSentBeforeTheHelloAreAnsweredOnce) {
  start(config());
  std::vector<uint64_t> queued;  // sequence numbers of the worker's messages
  for (uint64_t job : {18, 19, 20}) {
    broker_->send(route_, assign(job, job * 10, "echo", "x"));
    auto result = broker_->nextOf(Body::kResult);
    ASSERT_TRUE(result.has_value());
    queued.push_back(result->envelope.correlation_id());
  }
  // None of them found a session.
  broker_->send(route_, reannounceFor(queued[0]));
  auto hello = broker_->nextNonHeartbeat();
  ASSERT_TRUE(hello.has_value());
  ASSERT_EQ(hello->envelope.body_case(), Body::kHello);
  const uint64_t answered_by = hello->envelope.correlation_id();
  ASSERT_GT(answered_by, queued.back());
  for (size_t i = 1; i < queued.size(); ++i) {
    broker_->send(route_, reannounceFor(queued[i]));
  }
  // Messages are handled in order: a hello for any of those would come
  // before this job's result.
  broker_->send(route_, assign(21, 210, "echo", "once"));
  for (;;) {
    auto next = broker_->nextNonHeartbeat();
    ASSERT_TRUE(next.has_value());
    ASSERT_NE(next->envelope.body_case(), Body::kHello) << "a second hello for one lost session";
    if (next->envelope.body_case() == Body::kResult && next->envelope.result().job_id() == 21) {
      break;  // results re-sent after the hello may come first
    }
  }
  // A message after that hello finding no session is a new loss: answered.
  broker_->send(route_, reannounceFor(answered_by + 1));
  auto again = broker_->nextOf(Body::kHello);
  EXPECT_TRUE(again.has_value());
}

TEST_F(WorkerProtocol, GarbageFromBrokerIsCountedAndIgnored) {
  start(config());
  broker_->sendRaw(route_, "\xff\xfe not a protobuf at all");
  broker_->sendRaw(route_, "");
  wire::Envelope future_version;
  future_version.mutable_heartbeat();
  future_version.set_version(99);
  broker_->sendRaw(route_, future_version.SerializeAsString());
  wire::Envelope no_body;
  no_body.set_version(kProtocolVersion);
  broker_->sendRaw(route_, no_body.SerializeAsString());
  wire::Envelope client_reply;
  client_reply.mutable_stats_reply();
  broker_->send(route_, client_reply);

  EXPECT_EQ(runJob(18, "echo", "survived").result(), "survived");
  const WorkerStats stats = runner_->worker().stats();
  EXPECT_EQ(stats.malformed_messages, 3u);   // garbage, empty, version 99
  EXPECT_EQ(stats.unexpected_messages, 2u);  // no body, a client reply
}

}  // namespace
}  // namespace gantry::worker::testing
