// Concurrency caps: worker slots, per kind, per queue and per key.
#include <map>

#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

TEST(Caps, WorkerNeverGetsMoreThanItsSlots) {
  CoreHarness h;
  for (int i = 0; i < 10; ++i) {
    h.submit(h.spec("noop"));
  }
  h.hello("w1", 3, {"noop"});
  auto first = h.takeAssigned();
  EXPECT_EQ(first.size(), 3u);
  h.result(first[0], wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(h.takeAssigned().size(), 1u);
}

TEST(Caps, CreditChangeTakesEffect) {
  CoreHarness h;
  for (int i = 0; i < 10; ++i) {
    h.submit(h.spec("noop"));
  }
  h.hello("w1", 0, {"noop"});
  EXPECT_TRUE(h.takeAssigned().empty());
  wire::WorkerCredit credit;
  credit.set_slots(4);
  h.core().onCredit({"w1"}, credit, h.now());
  EXPECT_EQ(h.core().takeEffects().to_workers.size(), 4u);
}

TEST(Caps, KeyAtCapDoesNotBlockOtherKeys) {
  CoreHarness h;
  const uint64_t a1 = h.submit(h.spec("noop", 9, "user:a"));
  const uint64_t a2 = h.submit(h.spec("noop", 9, "user:a"));
  const uint64_t a3 = h.submit(h.spec("noop", 9, "user:a"));
  const uint64_t b1 = h.submit(h.spec("noop", 0, "user:b"));
  const uint64_t none = h.submit(h.spec("noop", 0));
  h.hello("w1", 10, {"noop"});
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 3u);
  EXPECT_EQ(assigned[0].job_id, a1);
  EXPECT_EQ(assigned[1].job_id, b1);
  EXPECT_EQ(assigned[2].job_id, none);
  // Finishing a1 lets exactly the next job of key a run, in order.
  h.result(assigned[0], wire::OUTCOME_SUCCEEDED);
  auto next = h.takeAssigned();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].job_id, a2);
  h.result(next[0], wire::OUTCOME_SUCCEEDED);
  next = h.takeAssigned();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].job_id, a3);
}

TEST(Caps, KeyLimitOverrideByPrefix) {
  BrokerConfig config;
  config.key_limits = {{"episode:", 2}};
  CoreHarness h(config);
  for (int i = 0; i < 4; ++i) {
    h.submit(h.spec("noop", 0, "episode:7"));
  }
  for (int i = 0; i < 4; ++i) {
    h.submit(h.spec("noop", 0, "user:7"));
  }
  h.hello("w1", 10, {"noop"});
  std::map<std::string, int> running;
  for (const auto& a : h.takeAssigned()) {
    ++running[a.job_id <= 4 ? "episode" : "user"];
  }
  EXPECT_EQ(running["episode"], 2);
  EXPECT_EQ(running["user"], 1);
}

TEST(Caps, KindCapHoldsAcrossWorkers) {
  BrokerConfig config;
  config.kind_limits = {{"transcribe", 2}};
  CoreHarness h(config);
  for (int i = 0; i < 5; ++i) {
    h.submit(h.spec("transcribe"));
  }
  const uint64_t other = h.submit(h.spec("noop"));
  h.hello("w1", 5, {"transcribe", "noop"});
  h.hello("w2", 5, {"transcribe", "noop"});
  int transcribe = 0;
  bool other_ran = false;
  for (const auto& a : h.takeAssigned()) {
    transcribe += a.kind == "transcribe";
    other_ran |= a.job_id == other;
  }
  EXPECT_EQ(transcribe, 2);
  EXPECT_TRUE(other_ran);
}

TEST(Caps, QueueCapHolds) {
  BrokerConfig config;
  config.queue_limits = {{"slow", 1}};
  CoreHarness h(config);
  for (int i = 0; i < 3; ++i) {
    auto s = h.spec("noop");
    s.set_queue("slow");
    h.submit(s);
  }
  h.hello("w1", 5, {"noop"});
  EXPECT_EQ(h.takeAssigned().size(), 1u);
}

TEST(Caps, PausedQueueIsNotDispatchedUntilResumed) {
  CoreHarness h;
  ASSERT_TRUE(h.core().setPaused("default", true, h.now()).isOk());
  h.submit(h.spec("noop"));
  h.hello("w1", 5, {"noop"});
  EXPECT_TRUE(h.takeAssigned().empty());
  ASSERT_TRUE(h.core().setPaused("default", false, h.now()).isOk());
  h.advance(1);
  EXPECT_EQ(h.takeAssigned().size(), 1u);
}

wire::JobSpec inQueue(wire::JobSpec spec, const std::string& queue) {
  spec.set_queue(queue);
  return spec;
}

// Pausing a queue must not stall the same key's jobs in other queues.
TEST(Caps, KeyedJobOfAQueuePausedBeforeItArrivedLeavesItsKeyFree) {
  CoreHarness h;
  ASSERT_TRUE(h.core().setPaused("transcripts", true, h.now()).isOk());
  const uint64_t held = h.submit(inQueue(h.spec("noop", 9, "user:1"), "transcripts"));
  const uint64_t other = h.submit(inQueue(h.spec("noop", 0, "user:1"), "meetings"));
  h.hello("w1", 5, {"noop"});
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, other);

  ASSERT_TRUE(h.core().setPaused("transcripts", false, h.now()).isOk());
  h.advance(1);
  EXPECT_TRUE(h.takeAssigned().empty());  // the key's one slot is busy
  h.result(assigned[0], wire::OUTCOME_SUCCEEDED);
  auto next = h.takeAssigned();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].job_id, held);
}

TEST(Caps, KeyedJobOfAQueuePausedWhileItWaitedForAWorkerGivesUpItsKeySlot) {
  CoreHarness h;
  const uint64_t held = h.submit(inQueue(h.spec("noop", 9, "user:1"), "transcripts"));
  const uint64_t other = h.submit(inQueue(h.spec("noop", 0, "user:1"), "meetings"));
  ASSERT_TRUE(h.core().setPaused("transcripts", true, h.now()).isOk());
  h.hello("w1", 5, {"noop"});
  auto assigned = h.takeAssigned();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].job_id, other);

  h.result(assigned[0], wire::OUTCOME_SUCCEEDED);
  EXPECT_TRUE(h.takeAssigned().empty());  // still paused
  ASSERT_TRUE(h.core().setPaused("transcripts", false, h.now()).isOk());
  h.advance(1);
  auto next = h.takeAssigned();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].job_id, held);
  EXPECT_EQ(h.core().stats(h.now()).queues_size(), 2);
}

}  // namespace
}  // namespace gantry::broker::testing
