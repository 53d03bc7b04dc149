// Hand-backs: a lone one costs nothing; a job handed back again and again
// is held back, and past kFreeHandBacks in a row each one counts.
#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

TEST(HandBack, ALoneHandBackRunsAgainAtOnceWithoutCountingAnAttempt) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  h.result(h.takeAssigned().at(0), wire::OUTCOME_HANDED_BACK, "worker shutting down");
  auto again = h.takeAssigned();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].job_id, id);
  EXPECT_EQ(h.core().findActive(id)->attempt(), 1u);
  EXPECT_EQ(h.core().counters().failed_attempts, 0u);
}

// Every attempt ends with a row of its own, told apart by its lease even
// when a hand-back and the next attempt share their number and their
// millisecond.
TEST(HandBack, EachAttemptIsRecordedOnceWithItsOwnLease) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  h.result(h.takeAssigned().at(0), wire::OUTCOME_HANDED_BACK, "no free slot");
  h.result(h.takeAssigned().at(0), wire::OUTCOME_SUCCEEDED);
  ASSERT_EQ(h.attempts().size(), 2u);
  EXPECT_EQ(h.attempts()[0].attempt, h.attempts()[1].attempt);
  EXPECT_EQ(h.attempts()[0].started_at_ms, h.attempts()[1].finished_at_ms);
  EXPECT_NE(h.attempts()[0].lease, h.attempts()[1].lease);
  EXPECT_EQ(h.lastState(id), wire::SUCCEEDED);
}

// A worker that hands everything back (a bug, a broken host) must not make
// the broker assign the same job to it thousands of times a second.
TEST(HandBack, RepeatedHandBacksAreHeldBackThenCountedUntilTheJobIsDead) {
  BrokerConfig config;
  config.default_policy.max_attempts = 3;
  config.default_policy.backoff = {100, 100};
  CoreHarness h(config);
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  int handbacks = 0;
  TimeMs held_back_in_all = 0;
  while (h.lastState(id) != wire::DEAD) {
    auto assigned = h.takeAssigned();
    if (assigned.empty()) {
      h.advance(100);
      held_back_in_all += 100;
      ASSERT_LT(held_back_in_all, 10 * 60 * 1000) << "the job neither ran nor died";
      continue;
    }
    ASSERT_EQ(assigned.size(), 1u);
    h.result(assigned[0], wire::OUTCOME_HANDED_BACK, "no free slot");
    ++handbacks;
    if (handbacks == 2) {
      // The second one in a row is held back.
      EXPECT_TRUE(h.takeAssigned().empty());
      EXPECT_NE(h.core().findActive(id)->last_error().find("handed back 2 times in a row"),
                std::string::npos);
    }
  }
  // Free hand-backs, then one counted per attempt allowed.
  EXPECT_EQ(handbacks,
            static_cast<int>(BrokerCore::kFreeHandBacks + config.default_policy.max_attempts));
  EXPECT_EQ(h.core().counters().handed_back, static_cast<uint64_t>(handbacks));
  EXPECT_EQ(h.core().counters().dead, 1u);
  EXPECT_GE(held_back_in_all, BrokerCore::kHandBackFirstDelayMs * 8);
}

// Hand-backs far apart (rolling restarts of the pool) are each a lone one.
TEST(HandBack, HandBacksOutsideTheWindowDoNotAddUp) {
  CoreHarness h;
  const uint64_t id = h.submit(h.spec("noop"));
  h.hello("w1", 1, {"noop"});
  std::vector<Assigned> assigned = h.takeAssigned();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(assigned.size(), 1u) << "hand-back " << i << " was held back";
    h.advance(BrokerCore::kHandBackWindowMs + 1);  // it ran a while first
    h.result(assigned[0], wire::OUTCOME_HANDED_BACK, "worker shutting down");
    assigned = h.takeAssigned();
  }
  EXPECT_EQ(h.core().counters().failed_attempts, 0u);
  EXPECT_EQ(h.core().findActive(id)->attempt(), 1u);
}

}  // namespace
}  // namespace gantry::broker::testing
