// Rate-limited resources in the core: token buckets, pushback holds with
// AIMD, the circuit breaker and its gate, and the outcomes that go with
// them (retry-after, partial success, fan-out).
#include <gtest/gtest.h>

#include "core_harness.h"
#include "gantry/broker/core/row_wire.h"

namespace gantry::broker::testing {
namespace {

BrokerConfig withResource(ResourceLimit limit, const std::string& name = "api") {
  BrokerConfig config;
  config.resources[name] = limit;
  return config;
}

ResourceLimit limit(double rate_per_s, double burst = 1) {
  ResourceLimit out;
  out.rate_per_s = rate_per_s;
  out.burst = burst;
  return out;
}

class Resources : public ::testing::Test {
 protected:
  void start(BrokerConfig config) { h_ = std::make_unique<CoreHarness>(std::move(config)); }
  CoreHarness& h() { return *h_; }

  void ask(const std::string& worker, uint64_t request_id, const std::string& resource,
           uint32_t count = 1) {
    wire::PermitRequest request;
    request.set_request_id(request_id);
    request.set_resource(resource);
    request.set_count(count);
    h().core().onPermitRequest({worker}, request, h().now());
    h().settle();
  }
  void report(const std::string& worker, wire::ResourceSignal signal, uint64_t retry_after_ms = 0,
              const std::string& resource = "api") {
    wire::ResourceReport r;
    r.set_resource(resource);
    r.set_signal(signal);
    r.set_retry_after_ms(retry_after_ms);
    h().core().onResourceReport({worker}, r, h().now());
    h().settle();
  }
  // Permit answers sent since the last call.
  std::vector<wire::PermitGrant> answers() {
    std::vector<wire::PermitGrant> out;
    for (auto& m : h().takeOtherMessages()) {
      if (m.envelope.has_permit_grant()) {
        out.push_back(m.envelope.permit_grant());
      }
    }
    return out;
  }
  size_t granted() {
    size_t n = 0;
    for (const auto& a : answers()) {
      n += a.granted() ? 1 : 0;
    }
    return n;
  }
  wire::ResourceStats stats() {
    const wire::StatsReply reply = h().core().stats(h().now());
    EXPECT_EQ(reply.resources_size(), 1);
    return reply.resources(0);
  }
  void helloDeclaring(const std::string& worker, const std::vector<std::string>& kinds,
                      const std::string& kind_with_resource, uint32_t slots = 4) {
    wire::WorkerHello hello;
    hello.set_worker_id(worker);
    hello.set_slots(slots);
    for (const auto& k : kinds) {
      hello.add_kinds(k);
    }
    auto* declared = hello.add_kind_resources();
    declared->set_kind(kind_with_resource);
    declared->add_resources("api");
    h().helloWith(hello);
  }

  std::unique_ptr<CoreHarness> h_;
};

TEST_F(Resources, ABucketGrantsItsBurstAtOnceThenOnePermitPerInterval) {
  start(withResource(limit(10, 2)));
  h().hello("w1", 1, {"noop"});
  for (uint64_t id = 1; id <= 5; ++id) {
    ask("w1", id, "api");
  }
  EXPECT_EQ(granted(), 2u);  // the full bucket
  h().advance(99);
  EXPECT_EQ(granted(), 0u);
  h().advance(1);
  EXPECT_EQ(granted(), 1u);  // 10/s: one token per 100 ms
  h().advance(200);
  EXPECT_EQ(granted(), 2u);
  EXPECT_EQ(stats().granted_total(), 5u);
  EXPECT_EQ(stats().waiting(), 0u);
  // The loop is woken for the next grant, not a tick later.
  ask("w1", 6, "api");
  ASSERT_TRUE(h().core().nextResourceDue(h().now()).has_value());
  EXPECT_EQ(*h().core().nextResourceDue(h().now()), h().now().mono_ms + 100);
}

TEST_F(Resources, AnUnknownResourceOrACountBeyondTheBurstIsRefusedAtOnce) {
  start(withResource(limit(10, 3)));
  h().hello("w1", 1, {"noop"});
  ask("w1", 1, "nope");
  ask("w1", 2, "api", 4);
  const auto refused = answers();
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_FALSE(refused[0].granted());
  EXPECT_EQ(refused[0].code(), wire::INVALID_ARGUMENT);
  EXPECT_NE(refused[0].error().find("no limit on the broker"), std::string::npos);
  EXPECT_FALSE(refused[1].granted());
  EXPECT_NE(refused[1].error().find("its burst"), std::string::npos);
}

TEST_F(Resources, APushbackHoldsTheResourceHalvesItsRateAndTheRateRecovers) {
  start(withResource(limit(10)));
  h().hello("w1", 1, {"noop"});
  report("w1", wire::RESOURCE_PUSHBACK, 2000);
  report("w1", wire::RESOURCE_PUSHBACK, 2000);  // same hold: halved once
  EXPECT_DOUBLE_EQ(stats().rate_per_s(), 5);
  EXPECT_EQ(stats().held_until_ms(), h().wall() + 2000);
  ask("w1", 1, "api");
  h().advance(1999);
  EXPECT_EQ(granted(), 0u) << "nothing goes out before Retry-After";
  h().advance(1 + 200);  // the hold is over; the bucket was emptied, 5/s+ refills it
  EXPECT_EQ(granted(), 1u);
  h().advance(10'000);
  EXPECT_DOUBLE_EQ(stats().rate_per_s(), 10) << "recovered by 10% of the limit per second";
  EXPECT_EQ(stats().held_until_ms(), 0);
  EXPECT_EQ(stats().pushbacks_total(), 2u);
}

TEST_F(Resources, RepeatedFailuresOpenTheCircuitAndJobsOfDeclaringKindsWait) {
  ResourceLimit l = limit(100);
  l.failure_threshold = 3;
  l.open_ms = 1000;
  start(withResource(l));
  helloDeclaring("w1", {"sync", "other"}, "sync", 0);
  ask("w1", 1, "api");
  EXPECT_EQ(granted(), 1u);
  report("w1", wire::RESOURCE_FAILURE);
  report("w1", wire::RESOURCE_FAILURE);
  EXPECT_EQ(stats().circuit(), "closed");
  report("w1", wire::RESOURCE_FAILURE);
  EXPECT_EQ(stats().circuit(), "open");
  EXPECT_EQ(stats().circuit_opened_total(), 1u);

  // While open: permits are refused, and jobs of the declaring kind wait.
  ask("w1", 2, "api");
  const auto refused = answers();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].code(), wire::UNAVAILABLE);
  const uint64_t sync1 = h().submit(h().spec("sync"));
  const uint64_t sync2 = h().submit(h().spec("sync"));
  h().submit(h().spec("other"));
  wire::WorkerCredit credit;
  credit.set_slots(4);
  h().core().onCredit({"w1"}, credit, h().now());
  h().settle();
  auto assigned = h().takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].kind, "other");

  // Half-open after open_ms: exactly one probe.
  h().advance(1000);
  EXPECT_EQ(stats().circuit(), "half-open");
  assigned = h().takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, sync1);
  // The probe succeeds: closed, and the other job runs.
  report("w1", wire::RESOURCE_OK);
  EXPECT_EQ(stats().circuit(), "closed");
  assigned = h().takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, sync2);
}

TEST_F(Resources, AFailedProbeOpensTheCircuitAgain) {
  ResourceLimit l = limit(100);
  l.failure_threshold = 1;
  l.open_ms = 500;
  start(withResource(l));
  helloDeclaring("w1", {"sync"}, "sync");
  report("w1", wire::RESOURCE_FAILURE);
  h().submit(h().spec("sync"));
  h().advance(500);
  ASSERT_EQ(h().takeAssigned().size(), 1u);  // the probe
  report("w1", wire::RESOURCE_FAILURE);
  EXPECT_EQ(stats().circuit(), "open");
  EXPECT_EQ(stats().circuit_opened_total(), 2u);
}

TEST_F(Resources, AResourceFailureWhileItsCircuitIsOpenCostsNoAttempt) {
  ResourceLimit l = limit(100);
  l.failure_threshold = 1;
  l.open_ms = 1000;
  start(withResource(l));
  helloDeclaring("w1", {"sync"}, "sync");
  wire::JobSpec spec = h().spec("sync");
  spec.set_max_attempts(1);
  const uint64_t id = h().submit(spec);
  const auto assigned = h().takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  report("w1", wire::RESOURCE_FAILURE);  // opens the circuit
  wire::JobResult result;
  result.set_job_id(id);
  result.set_lease(assigned[0].lease);
  result.set_outcome(wire::OUTCOME_RETRYABLE);
  result.set_error("503 from api");
  result.set_resource("api");
  h().core().onResult({"w1"}, result, h().now());
  h().settle();
  EXPECT_EQ(h().lastState(id), wire::QUEUED) << "waits instead of dying on its only attempt";
  EXPECT_TRUE(h().takeAssigned().empty());
  h().advance(1000);  // half-open: it is the probe
  const auto again = h().takeAssigned();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].job_id, id);
  EXPECT_EQ(h().core().findActive(id)->attempt(), 1u);
}

TEST_F(Resources, ARetryAfterReplacesTheBackoff) {
  BrokerConfig config;
  config.default_policy.backoff.base_ms = 600'000;
  config.default_policy.backoff.cap_ms = 600'000;
  start(std::move(config));
  h().hello("w1", 1, {"noop"});
  const uint64_t id = h().submit(h().spec("noop"));
  const auto assigned = h().takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  wire::JobResult result;
  result.set_job_id(id);
  result.set_lease(assigned[0].lease);
  result.set_outcome(wire::OUTCOME_RETRYABLE);
  result.set_retry_after_ms(750);
  h().core().onResult({"w1"}, result, h().now());
  h().settle();
  EXPECT_EQ(h().core().findActive(id)->spec().run_at_ms(), h().wall() + 750);
  h().advance(749);
  EXPECT_TRUE(h().takeAssigned().empty());
  h().advance(2);  // due at the first millisecond the wall clock shows run_at in full
  EXPECT_EQ(h().takeAssigned().size(), 1u);
}

TEST_F(Resources, APartialSuccessIsSucceededWithItsDegradationsStored) {
  start({});
  h().hello("w1", 1, {"noop"});
  const uint64_t id = h().submit(h().spec("noop"));
  const auto assigned = h().takeAssigned();
  wire::JobResult result;
  result.set_job_id(id);
  result.set_lease(assigned.at(0).lease);
  result.set_outcome(wire::OUTCOME_SUCCEEDED);
  auto* degraded = result.add_degraded();
  degraded->set_what("summary of meeting 7");
  degraded->set_reason("summarizer unavailable");
  h().core().onResult({"w1"}, result, h().now());
  h().settle();
  EXPECT_EQ(h().lastState(id), wire::SUCCEEDED);
  const JobTransition& last = h().transitions().back();
  ASSERT_EQ(last.id, id);
  wire::Job decoded;
  degradedFromJson(last.status.degraded, *decoded.mutable_degraded());
  ASSERT_EQ(decoded.degraded_size(), 1);
  EXPECT_EQ(decoded.degraded(0).what(), "summary of meeting 7");
  EXPECT_EQ(decoded.degraded(0).reason(), "summarizer unavailable");
  EXPECT_EQ(h().core().stats(h().now()).partial_total(), 1u);
  EXPECT_EQ(h().core().stats(h().now()).succeeded_total(), 1u);
}

TEST_F(Resources, AFanOutIsWrittenInTheSameBatchAsTheSuccess) {
  start({});
  h().hello("w1", 1, {"noop"});
  const uint64_t parent = h().submit(h().spec("noop"));
  const auto assigned = h().takeAssigned();
  (void)h().core().takeEffects();
  wire::JobResult result;
  result.set_job_id(parent);
  result.set_lease(assigned.at(0).lease);
  result.set_outcome(wire::OUTCOME_SUCCEEDED);
  for (const char* payload : {"a", "b"}) {
    auto* child = result.add_children();
    child->set_kind("summarize");
    child->set_payload(payload);
  }
  h().core().onResult({"w1"}, result, h().now());
  const Effects effects = h().core().takeEffects();
  ASSERT_EQ(effects.writes.inserts().size(), 2u);
  EXPECT_EQ(effects.writes.inserts()[0].fixed.payload, "a");
  EXPECT_EQ(effects.writes.inserts()[1].fixed.payload, "b");
  bool parent_succeeded = false;
  for (const auto& t : effects.writes.transitions()) {
    parent_succeeded |= t.id == parent && t.status.state == wire::SUCCEEDED;
  }
  EXPECT_TRUE(parent_succeeded) << "the success and the children commit together";
}

TEST_F(Resources, AnInvalidFanOutEndsTheParentDeadAndCreatesNothing) {
  start({});
  h().hello("w1", 1, {"noop"});
  const uint64_t parent = h().submit(h().spec("noop"));
  const auto assigned = h().takeAssigned();
  wire::JobResult result;
  result.set_job_id(parent);
  result.set_lease(assigned.at(0).lease);
  result.set_outcome(wire::OUTCOME_SUCCEEDED);
  result.add_children()->set_kind("ok");
  result.add_children();  // no kind
  const size_t inserts_before = h().inserts().size();
  h().core().onResult({"w1"}, result, h().now());
  h().settle();
  EXPECT_EQ(h().lastState(parent), wire::DEAD);
  EXPECT_EQ(h().inserts().size(), inserts_before);
}

TEST_F(Resources, AGoneWorkersWaitingRequestsUseNoTokens) {
  start(withResource(limit(1)));
  h().hello("w1", 1, {"noop"});
  h().hello("w2", 1, {"noop"});
  ask("w1", 1, "api");
  EXPECT_EQ(granted(), 1u);
  ask("w1", 2, "api");
  h().disconnect("w1");
  h().advance(1000);
  ask("w2", 1, "api");
  const auto got = answers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].granted());
}

}  // namespace
}  // namespace gantry::broker::testing
