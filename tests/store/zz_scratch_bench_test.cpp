// TEMPORARY scratch measurement; not to be committed.
#include <gtest/gtest.h>
#include <chrono>
#include <iostream>
#include "store/store_fixture.h"

namespace gantry::broker {
namespace {
double msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
TEST_F(StoreTest, DISABLED_Bench) {
  constexpr uint64_t kJobs = 20000;
  uint64_t base = 0;
  for (int round = 0; round < 4; ++round) {
    WriteBatch inserts;
    for (uint64_t id = base + 1; id <= base + kJobs; ++id) {
      JobRow job = makeJob(id);
      job.payload = std::string(100, 'x');
      inserts.addInsert(std::move(job));
    }
    auto t = std::chrono::steady_clock::now();
    ASSERT_TRUE(store_->commit(inserts).isOk());
    const double ins = msSince(t);

    WriteBatch running;
    for (uint64_t id = base + 1; id <= base + kJobs; ++id) {
      running.addTransition(makeTransition(id, wire::RUNNING, kNow + 5));
    }
    t = std::chrono::steady_clock::now();
    ASSERT_TRUE(store_->commit(running).isOk());
    const double upd = msSince(t);

    WriteBatch moves;
    for (uint64_t id = base + 1; id <= base + kJobs; ++id) {
      moves.addTransition(makeTransition(id, wire::SUCCEEDED, kNow + 10));
    }
    t = std::chrono::steady_clock::now();
    ASSERT_TRUE(store_->commit(moves).isOk());
    const double mov = msSince(t);

    WriteBatch attempts;
    for (uint64_t id = base + 1; id <= base + kJobs; ++id) {
      AttemptRow a; a.job_id = id; a.attempt = 1; a.worker_id = "worker-a"; a.started_at_ms = kNow; a.finished_at_ms = kNow + 10; a.outcome = wire::OUTCOME_SUCCEEDED;
      attempts.addAttempt(a);
    }
    t = std::chrono::steady_clock::now();
    ASSERT_TRUE(store_->commit(attempts).isOk());
    const double att = msSince(t);

    // Full lifecycle in one batch: update-to-running for a new set, plus moves + attempts.
    std::cout << "round " << round << ": 20k inserts " << ins << " ms (" << kJobs / ins * 1000
              << "/s), 20k updates " << upd << " ms (" << kJobs / upd * 1000 << "/s), 20k moves "
              << mov << " ms (" << kJobs / mov * 1000 << "/s), 20k attempts " << att << " ms\n";
    base += kJobs;
  }
  // Mixed "completion" batch: 20k moves + 20k attempts in one commit.
  {
    WriteBatch inserts;
    for (uint64_t id = base + 1; id <= base + kJobs; ++id) { inserts.addInsert(makeJob(id)); }
    ASSERT_TRUE(store_->commit(inserts).isOk());
    WriteBatch done;
    for (uint64_t id = base + 1; id <= base + kJobs; ++id) {
      done.addTransition(makeTransition(id, wire::SUCCEEDED, kNow + 10));
      AttemptRow a; a.job_id = id; a.attempt = 1; a.worker_id = "worker-a"; a.started_at_ms = kNow; a.finished_at_ms = kNow + 10; a.outcome = wire::OUTCOME_SUCCEEDED;
      done.addAttempt(a);
    }
    auto t = std::chrono::steady_clock::now();
    ASSERT_TRUE(store_->commit(done).isOk());
    const double ms = msSince(t);
    std::cout << "20k moves + 20k attempts in one commit: " << ms << " ms (" << kJobs / ms * 1000 << " jobs/s)\n";
    base += kJobs;
  }
  // Small batches: latency.
  for (size_t n : {1, 10, 100, 1000}) {
    double total = 0;
    const int reps = 50;
    for (int r = 0; r < reps; ++r) {
      WriteBatch b;
      for (size_t i = 0; i < n; ++i) { b.addInsert(makeJob(++base)); }
      auto t = std::chrono::steady_clock::now();
      ASSERT_TRUE(store_->commit(b).isOk());
      total += msSince(t);
    }
    std::cout << "batch of " << n << " inserts: " << total / reps << " ms per commit\n";
  }
}
}  // namespace
}  // namespace gantry::broker
