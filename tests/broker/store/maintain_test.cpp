// PgStore::maintain: day partitions of history and attempts.
#include <gtest/gtest.h>

#include "broker/store/store_fixture.h"

namespace gantry::broker {
namespace {

// The fixture ran maintain(kNow = 2024-03-10T12:00Z, 7 days).
class MaintainTest : public StoreTest {
 protected:
  std::string partitionsOf(const std::string& parent) {
    return sql(
        "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '" +
        parent + "'::regclass");
  }

  // A finished job with one attempt, both finished at `at`.
  void commitFinished(uint64_t id, TimeMs at) {
    JobRow job = makeJob(id, wire::SUCCEEDED);
    job.status.finished_at_ms = at;
    job.status.updated_at_ms = at;
    AttemptRow attempt;
    attempt.job_id = id;
    attempt.attempt = 1;
    attempt.started_at_ms = at - 10;
    attempt.finished_at_ms = at;
    attempt.outcome = wire::OUTCOME_SUCCEEDED;
    WriteBatch batch;
    batch.addInsert(job);
    batch.addAttempt(attempt);
    commit(batch);
  }

  bool exists(uint64_t id) {
    auto job = store_->getJob(id, false);
    EXPECT_TRUE(job.isOk()) << job.status().toString();
    return job.isOk() && job->has_value();
  }

  std::string partitionHolding(uint64_t id) {
    return sql("SELECT tableoid::regclass FROM gantry_job_history WHERE id = " +
               std::to_string(id));
  }
};

TEST_F(MaintainTest, CreatesPartitionsFromYesterdayToTheDayAfterTomorrow) {
  EXPECT_EQ(partitionsOf("gantry_job_history"),
            "gantry_job_history_default gantry_job_history_p20240309 gantry_job_history_p20240310 "
            "gantry_job_history_p20240311 gantry_job_history_p20240312");
  EXPECT_EQ(partitionsOf("gantry_job_attempts"),
            "gantry_job_attempts_default gantry_job_attempts_p20240309 "
            "gantry_job_attempts_p20240310 gantry_job_attempts_p20240311 "
            "gantry_job_attempts_p20240312");
  // Day boundaries are UTC midnights.
  EXPECT_EQ(sql("SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
                "WHERE c.relname = 'gantry_job_history_p20240310'"),
            "FOR VALUES FROM ('1710028800000') TO ('1710115200000')");
}

TEST_F(MaintainTest, RunningAgainChangesNothing) {
  const std::string before = partitionsOf("gantry_job_history");
  ASSERT_TRUE(store_->maintain(kNow, kRetentionMs).isOk());
  ASSERT_TRUE(store_->maintain(kNow + 1000, kRetentionMs).isOk());
  EXPECT_EQ(partitionsOf("gantry_job_history"), before);
}

TEST_F(MaintainTest, RowsLandInTheirDayPartition) {
  commitFinished(1, kNow);
  commitFinished(2, kNow + kDayMs);
  EXPECT_EQ(partitionHolding(1), "gantry_job_history_p20240310");
  EXPECT_EQ(partitionHolding(2), "gantry_job_history_p20240311");
  EXPECT_EQ(sql("SELECT tableoid::regclass FROM gantry_job_attempts WHERE job_id = 2"),
            "gantry_job_attempts_p20240311");
}

TEST_F(MaintainTest, EightDaysLaterExpiredPartitionsAreDroppedAndRecentRowsStay) {
  commitFinished(1, kNow - TimeMs{3600} * 1000);  // 2024-03-10 11:00
  commitFinished(2, kNow + 2 * kDayMs);           // 2024-03-12 12:00
  const TimeMs later = kNow + 8 * kDayMs;         // 2024-03-18 12:00, cutoff 2024-03-11 12:00
  ASSERT_TRUE(store_->maintain(later, kRetentionMs).isOk());
  commitFinished(3, later);

  EXPECT_FALSE(exists(1));
  EXPECT_TRUE(exists(2));
  EXPECT_TRUE(exists(3));
  EXPECT_EQ(sql("SELECT string_agg(job_id::text, ' ' ORDER BY job_id) FROM gantry_job_attempts"),
            "2 3");
  // 03-09 and 03-10 ended before the cutoff; 03-11 straddles it and stays.
  EXPECT_EQ(partitionsOf("gantry_job_history"),
            "gantry_job_history_default gantry_job_history_p20240311 gantry_job_history_p20240312 "
            "gantry_job_history_p20240317 gantry_job_history_p20240318 "
            "gantry_job_history_p20240319 gantry_job_history_p20240320");
  EXPECT_EQ(partitionHolding(3), "gantry_job_history_p20240318");
}

TEST_F(MaintainTest, RowsOutsideThePartitionsWaitInTheDefaultAndMoveToTheirDay) {
  const TimeMs future = kNow + 10 * kDayMs;  // 2024-03-20: no partition yet
  commitFinished(1, future);
  EXPECT_EQ(partitionHolding(1), "gantry_job_history_default");

  ASSERT_TRUE(store_->maintain(future, kRetentionMs).isOk());
  EXPECT_EQ(partitionHolding(1), "gantry_job_history_p20240320");
  EXPECT_EQ(sql("SELECT tableoid::regclass FROM gantry_job_attempts WHERE job_id = 1"),
            "gantry_job_attempts_p20240320");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history_default"), "0");
  EXPECT_TRUE(exists(1));
}

TEST_F(MaintainTest, ExpiredRowsInTheDefaultPartitionAreDeleted) {
  commitFinished(1, 0);                   // never finished properly: 1970
  commitFinished(2, kNow - 30 * kDayMs);  // long ago
  commitFinished(3, kNow + 30 * kDayMs);  // far future: not expired
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history_default"), "3");

  ASSERT_TRUE(store_->maintain(kNow, kRetentionMs).isOk());
  EXPECT_FALSE(exists(1));
  EXPECT_FALSE(exists(2));
  EXPECT_TRUE(exists(3));
  EXPECT_EQ(sql("SELECT string_agg(job_id::text, ' ') FROM gantry_job_attempts"), "3");
}

TEST_F(MaintainTest, ExpiredDefaultRowsAreDeletedAcrossSeveralBatches) {
  WriteBatch batch;
  for (uint64_t id = 1; id <= 12000; ++id) {
    JobRow job = makeJob(id, wire::SUCCEEDED);
    job.status.finished_at_ms = kNow - 30 * kDayMs;
    batch.addInsert(job);
  }
  commit(batch);

  ASSERT_TRUE(store_->maintain(kNow, kRetentionMs).isOk());
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history"), "0");
}

TEST_F(MaintainTest, RejectsANonPositiveRetention) {
  EXPECT_EQ(store_->maintain(kNow, 0).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gantry::broker
