// Heartbeats and reconnection (Paranoid Pirate) over real sockets. Intervals
// are shortened through the config; nothing is asserted about durations.
#include <set>

#include "worker_harness.h"

namespace gantry::worker::testing {
namespace {

class WorkerLiveness : public WorkerHarnessTest {
 protected:
  // Fast reconnects: 50 ms x 3 of silence, then 10..50 ms of backoff.
  WorkerConfig fastConfig() const {
    WorkerConfig c = config();
    c.heartbeat_ms = 50;
    c.liveness = 3;
    return c;
  }

  static bool holds(const wire::WorkerHello& hello, uint64_t job_id, uint64_t lease) {
    for (const auto& held : hello.held()) {
      if (held.job_id() == job_id && held.lease() == lease) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(WorkerLiveness, HeartbeatsKeepFlowingWhileEverySlotIsBusy) {
  auto c = config();
  c.concurrency = 1;
  c.heartbeat_ms = 20;
  start(c);
  broker_->send(route_, assign(1, 10, "sleep", "3600000"));
  // The hand-back proves the only slot is taken before we start counting.
  const wire::JobResult refused = runJob(2, "noop");
  ASSERT_EQ(refused.outcome(), wire::OUTCOME_HANDED_BACK);
  for (int i = 0; i < 3; ++i) {
    auto received = broker_->next();
    ASSERT_TRUE(received.has_value()) << "heartbeats stopped while a handler ran";
    EXPECT_EQ(received->envelope.body_case(), Body::kHeartbeat) << bodyName(received->envelope);
  }
  broker_->send(route_, cancelJob(1, 10));
  const wire::JobResult cancelled = nextResult();
  EXPECT_EQ(cancelled.job_id(), 1u);
  EXPECT_EQ(cancelled.outcome(), wire::OUTCOME_CANCELLED);
}

TEST_F(WorkerLiveness, BrokerMessagesCountAsLife) {
  start(fastConfig());
  // Answer every heartbeat for a while: the worker must stay on one socket.
  for (int i = 0; i < 10; ++i) {
    auto received = broker_->next();
    ASSERT_TRUE(received.has_value());
    ASSERT_EQ(received->routing_id, route_) << "worker reconnected although the broker spoke";
    broker_->send(route_, heartbeat());
  }
  EXPECT_EQ(runner_->worker().stats().reconnects, 0u);
}

TEST_F(WorkerLiveness, SilentBrokerCausesReconnectAnnouncingHeldLease) {
  start(fastConfig());
  broker_->send(route_, assign(3, 30, "gate"));
  ASSERT_TRUE(gate_->waitEntered(1));
  // From here on the broker says nothing until a hello on a new socket.
  std::optional<Received> hello;
  const Deadline deadline;
  for (;;) {
    hello = broker_->nextOf(Body::kHello, deadline.left());
    ASSERT_TRUE(hello.has_value()) << "the worker never reconnected";
    if (hello->routing_id != route_) {
      break;
    }
  }
  EXPECT_TRUE(holds(hello->envelope.hello(), 3, 30));
  EXPECT_EQ(hello->envelope.hello().slots(), 2u);
  EXPECT_GE(runner_->worker().stats().reconnects, 1u);
  // The new socket is the live one: the job can be cancelled through it.
  broker_->send(hello->routing_id, cancelJob(3, 30));
  auto result = broker_->nextOf(Body::kResult);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->envelope.result().job_id(), 3u);
  EXPECT_EQ(result->envelope.result().outcome(), wire::OUTCOME_CANCELLED);
}

TEST_F(WorkerLiveness, ResultFinishedWhileBrokerIsDownIsDeliveredAfterHello) {
  start(fastConfig());
  broker_->send(route_, assign(4, 40, "gate"));
  ASSERT_TRUE(gate_->waitEntered(1));
  const std::string endpoint = broker_->endpoint();
  broker_->close();                                  // the broker dies ...
  gate_->open();                                     // ... and the job finishes while it is away
  broker_ = std::make_unique<FakeBroker>(endpoint);  // a new broker, same address

  // Behave like a broker: a peer that has not said hello is told to
  // reannounce; the result only counts on a socket that announced the lease.
  std::set<std::string> announced;
  const Deadline deadline;
  for (;;) {
    auto received = broker_->nextNonHeartbeat(deadline.left());
    ASSERT_TRUE(received.has_value()) << "the result never reached the new broker";
    const auto& envelope = received->envelope;
    if (envelope.body_case() == Body::kHello) {
      if (holds(envelope.hello(), 4, 40)) {
        announced.insert(received->routing_id);
      }
      continue;
    }
    if (envelope.body_case() != Body::kResult || envelope.result().job_id() != 4) {
      continue;
    }
    if (announced.contains(received->routing_id)) {
      EXPECT_EQ(envelope.result().lease(), 40u);
      EXPECT_EQ(envelope.result().outcome(), wire::OUTCOME_SUCCEEDED);
      EXPECT_EQ(envelope.result().result(), "opened");
      return;
    }
    wire::Envelope reannounce;
    reannounce.mutable_reannounce();
    broker_->send(received->routing_id, reannounce);
  }
}

}  // namespace
}  // namespace gantry::worker::testing
