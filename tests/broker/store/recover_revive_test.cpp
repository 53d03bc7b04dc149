// PgStore::recover and PgStore::revive.
#include <gtest/gtest.h>

#include "broker/store/store_fixture.h"

namespace gantry::broker {
namespace {

QueueRoom ampleRoom() {
  static const BrokerConfig config = [] {
    BrokerConfig c;
    c.default_queue_capacity = UINT64_MAX;
    return c;
  }();
  return QueueRoom({}, config);
}

TEST_F(StoreTest, RecoverOfAnEmptyDatabaseIsEmpty) {
  auto state = recoverAll(*store_);
  ASSERT_TRUE(state.isOk()) << state.status().toString();
  EXPECT_TRUE(state->active.empty());
  EXPECT_TRUE(state->paused_queues.empty());
  EXPECT_EQ(state->max_job_id, 0u);
}

TEST_F(StoreTest, RecoverReturnsExactlyTheActiveJobsPausedQueuesAndMaxId) {
  WriteBatch first;
  first.addInsert(makeJob(3));
  first.addInsert(makeJob(1));
  first.addInsert(makeJob(2));
  first.addInsert(makeJob(4));
  first.addInsert(makeJob(900, wire::SUCCEEDED));  // highest id, but finished
  first.addQueueSetting({"paused-a", true});
  first.addQueueSetting({"running-b", false});
  first.addQueueSetting({"paused-c", true});
  commit(first);
  WriteBatch second;
  second.addTransition(makeTransition(2, wire::RUNNING, kNow + 1));
  second.addTransition(makeTransition(3, wire::FAILED, kNow + 1));
  second.addTransition(makeTransition(4, wire::DEAD, kNow + 1));
  commit(second);

  auto state = recoverAll(*store_);
  ASSERT_TRUE(state.isOk()) << state.status().toString();
  // Running jobs first, then the others, each by id.
  ASSERT_EQ(state->active.size(), 3u);
  EXPECT_EQ(state->active[0].id, 2u);
  EXPECT_EQ(state->active[0].status.state, wire::RUNNING);
  EXPECT_EQ(state->active[0].status.lease, 0xFEDCBA9876543210ULL);
  EXPECT_EQ(state->active[1].id, 1u);
  EXPECT_EQ(state->active[1].status.state, wire::QUEUED);
  EXPECT_EQ(fieldsOf(state->active[1]), fieldsOf(makeJob(1)));
  EXPECT_EQ(state->active[2].id, 3u);
  EXPECT_EQ(state->active[2].status.state, wire::FAILED);
  EXPECT_EQ(state->paused_queues, (std::vector<std::string>{"paused-a", "paused-c"}));
  // At least every id in use; ids are reserved a block ahead (see commit).
  EXPECT_GE(state->max_job_id, 900u);
  EXPECT_LT(state->max_job_id, 900u + 10'001u);
}

TEST_F(StoreTest, IdsAreNotReusedAfterRetentionDroppedEveryFinishedJob) {
  WriteBatch batch;
  batch.addInsert(makeJob(4242, wire::SUCCEEDED));
  commit(batch);
  ASSERT_TRUE(store_->maintain(kNow + 30 * kDayMs, kRetentionMs).isOk());
  auto state = recoverAll(*store_);
  ASSERT_TRUE(state.isOk()) << state.status().toString();
  EXPECT_GE(state->max_job_id, 4242u);
}

// Batches of new jobs alone commit without a transaction block; the id mark
// must still cover every id they store.
TEST_F(StoreTest, IdsOfSubmitsAloneStayReservedAfterTheirJobsAreGone) {
  WriteBatch first;
  first.addInsert(makeJob(10));
  commit(first);
  WriteBatch beyond_the_first_block;
  beyond_the_first_block.addInsert(makeJob(10'001));
  beyond_the_first_block.addInsert(makeJob(25'000));
  commit(beyond_the_first_block);
  WriteBatch within_the_block;
  within_the_block.addInsert(makeJob(25'001));
  commit(within_the_block);
  sql("DELETE FROM gantry_jobs");

  auto state = recoverAll(*store_);
  ASSERT_TRUE(state.isOk()) << state.status().toString();
  EXPECT_GE(state->max_job_id, 25'001u);
}

TEST_F(StoreTest, RecoverStreamsLargeBacklogsInIdOrder) {
  WriteBatch batch;
  for (uint64_t id = 1; id <= 25000; ++id) {
    batch.addInsert(makeJob(id));
  }
  commit(batch);

  auto state = recoverAll(*store_);
  ASSERT_TRUE(state.isOk()) << state.status().toString();
  ASSERT_EQ(state->active.size(), 25000u);
  for (size_t i = 0; i < state->active.size(); ++i) {
    ASSERT_EQ(state->active[i].id, i + 1);
  }
  EXPECT_GE(state->max_job_id, 25000u);
}

TEST_F(StoreTest, ReviveMovesADeadJobBackAsQueuedKeepingItsLastError) {
  JobRow dead = makeJob(5, wire::DEAD);
  dead.status.attempt = 5;
  dead.status.last_error = "upstream 500";
  dead.status.result = "partial";
  dead.status.lease = 77;
  WriteBatch batch;
  batch.addInsert(dead);
  commit(batch);

  const TimeMs later = kNow + 60000;
  auto results = store_->revive({5}, later, ampleRoom());
  ASSERT_TRUE(results.isOk()) << results.status().toString();
  ASSERT_EQ(results->size(), 1u);
  const ReviveResult& r = results->front();
  EXPECT_EQ(r.id, 5u);
  ASSERT_TRUE(r.status.isOk()) << r.status.toString();
  ASSERT_TRUE(r.row.has_value());
  JobRow expected = dead;
  expected.status.state = wire::QUEUED;
  expected.status.attempt = 0;
  expected.status.run_at_ms = later;
  expected.status.updated_at_ms = later;
  expected.status.started_at_ms = 0;
  expected.status.finished_at_ms = 0;
  expected.status.result = "";
  expected.status.worker_id = "";
  expected.status.lease = 0;
  EXPECT_EQ(fieldsOf(*r.row), fieldsOf(expected));
  EXPECT_EQ(fieldsOf(get(5)->job), fieldsOf(expected));
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history"), "0");
  EXPECT_EQ(sql("SELECT state FROM gantry_jobs WHERE id = 5"), "queued");
}

TEST_F(StoreTest, ReviveRefusesJobsThatAreNotDeadAndReportsUnknownOnes) {
  WriteBatch batch;
  batch.addInsert(makeJob(1));                   // active
  batch.addInsert(makeJob(2, wire::SUCCEEDED));  // finished, not dead
  batch.addInsert(makeJob(3, wire::DEAD));
  commit(batch);

  auto results = store_->revive({1, 2, 3, 4, 3}, kNow, ampleRoom());
  ASSERT_TRUE(results.isOk()) << results.status().toString();
  ASSERT_EQ(results->size(), 4u);  // one per distinct id
  EXPECT_EQ((*results)[0].id, 1u);
  EXPECT_EQ((*results)[0].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE((*results)[0].status.message().find("queued"), std::string::npos);
  EXPECT_EQ((*results)[1].id, 2u);
  EXPECT_EQ((*results)[1].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE((*results)[1].status.message().find("succeeded"), std::string::npos);
  EXPECT_EQ((*results)[2].id, 3u);
  EXPECT_TRUE((*results)[2].status.isOk());
  EXPECT_EQ((*results)[3].id, 4u);
  EXPECT_EQ((*results)[3].status.code(), StatusCode::kNotFound);
  EXPECT_FALSE((*results)[3].row.has_value());

  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_jobs"),
            "1:queued 3:queued");
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ') FROM gantry_job_history"),
            "2:succeeded");
}

TEST_F(StoreTest, ReviveStopsAtAFullQueueAndLeavesTheRestDead) {
  WriteBatch batch;
  for (uint64_t id = 1; id <= 4; ++id) {
    batch.addInsert(makeJob(id, wire::DEAD));
  }
  JobRow elsewhere = makeJob(5, wire::DEAD);
  elsewhere.fixed.queue = "other";
  batch.addInsert(elsewhere);
  commit(batch);

  // "default" holds 8 of its 10 places; "other" is empty.
  BrokerConfig config;
  config.queue_capacities = {{"default", 10}};
  config.default_queue_capacity = 1;
  QueueRoom room({{"default", 8}}, config);
  auto results = store_->revive({4, 3, 2, 1, 5}, kNow, std::move(room));
  ASSERT_TRUE(results.isOk()) << results.status().toString();
  ASSERT_EQ(results->size(), 5u);
  EXPECT_TRUE((*results)[0].status.isOk());  // request order decides who gets in
  EXPECT_TRUE((*results)[1].status.isOk());
  for (size_t i : {2u, 3u}) {
    EXPECT_EQ((*results)[i].status.code(), StatusCode::kResourceExhausted);
    EXPECT_EQ((*results)[i].status.message(), "queue 'default' is full: 10 jobs of capacity 10");
    EXPECT_FALSE((*results)[i].row.has_value());
  }
  EXPECT_TRUE((*results)[4].status.isOk());  // the default capacity, 1

  EXPECT_EQ(sql("SELECT string_agg(id::text, ' ' ORDER BY id) FROM gantry_jobs"), "3 4 5");
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_job_history"),
            "1:dead 2:dead");
}

TEST_F(StoreTest, ReviveOfNothingDoesNothing) {
  auto results = store_->revive({}, kNow, ampleRoom());
  ASSERT_TRUE(results.isOk()) << results.status().toString();
  EXPECT_TRUE(results->empty());
}

}  // namespace
}  // namespace gantry::broker
