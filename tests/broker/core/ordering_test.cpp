// Priority, FIFO and aging: the order in which runnable jobs start.
#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

std::vector<uint64_t> ids(const std::vector<Assigned>& assigned) {
  std::vector<uint64_t> out;
  out.reserve(assigned.size());
  for (const auto& a : assigned) {
    out.push_back(a.job_id);
  }
  return out;
}

TEST(Ordering, HigherPriorityRunsFirst) {
  CoreHarness h;
  const uint64_t low = h.submit(h.spec("noop", 1));
  const uint64_t high = h.submit(h.spec("noop", 9));
  const uint64_t mid = h.submit(h.spec("noop", 5));
  h.hello("w1", 3, {"noop"});
  EXPECT_EQ(ids(h.takeAssigned()), (std::vector<uint64_t>{high, mid, low}));
}

TEST(Ordering, FifoWithinAPriority) {
  CoreHarness h;
  std::vector<uint64_t> submitted;
  submitted.reserve(5);
  for (int i = 0; i < 5; ++i) {
    submitted.push_back(h.submit(h.spec("noop", 3)));
  }
  h.hello("w1", 5, {"noop"});
  EXPECT_EQ(ids(h.takeAssigned()), submitted);
}

TEST(Ordering, AgingLetsALongWaitingLowPriorityJobOvertake) {
  BrokerConfig config;
  config.aging_ms = 1000;
  CoreHarness h(config);
  const uint64_t old_low = h.submit(h.spec("noop", 0));
  h.advance(3500);  // 3.5 priority levels of waiting
  const uint64_t fresh_p3 = h.submit(h.spec("noop", 3));
  const uint64_t fresh_p4 = h.submit(h.spec("noop", 4));
  h.hello("w1", 3, {"noop"});
  EXPECT_EQ(ids(h.takeAssigned()), (std::vector<uint64_t>{fresh_p4, old_low, fresh_p3}));
}

TEST(Ordering, WorkerOnlyGetsKindsItAnnounced) {
  CoreHarness h;
  h.submit(h.spec("sleep"));
  const uint64_t echo = h.submit(h.spec("echo"));
  h.hello("w1", 5, {"echo"});
  EXPECT_EQ(ids(h.takeAssigned()), (std::vector<uint64_t>{echo}));
}

TEST(Ordering, DelayedJobDoesNotStartBeforeRunAt) {
  CoreHarness h;
  h.hello("w1", 1, {"noop"});
  auto s = h.spec("noop");
  s.set_run_at_ms(h.wall() + 5000);
  const uint64_t id = h.submit(s);
  h.advance(5000);
  EXPECT_TRUE(h.takeAssigned().empty());
  // One millisecond of margin: real clocks are read truncated, and the job
  // must not start before the wall clock shows its run_at (clock_test.cpp).
  ASSERT_EQ(h.core().nextDelayedDue(), std::optional<TimeMs>(h.now().mono_ms + 1));
  h.advance(1);
  EXPECT_EQ(ids(h.takeAssigned()), (std::vector<uint64_t>{id}));
}

TEST(Ordering, RoundRobinSpreadsJobsAcrossWorkers) {
  CoreHarness h;
  h.hello("w1", 2, {"noop"});
  h.hello("w2", 2, {"noop"});
  for (int i = 0; i < 4; ++i) {
    h.submit(h.spec("noop"));
  }
  int w1 = 0;
  for (const auto& a : h.takeAssigned()) {
    w1 += a.routing_id == "w1";
  }
  EXPECT_EQ(w1, 2);
}

}  // namespace
}  // namespace gantry::broker::testing
