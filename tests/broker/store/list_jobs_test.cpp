// PgStore::getJob and PgStore::listJobs.
#include <gtest/gtest.h>

#include "broker/store/store_fixture.h"

namespace gantry::broker {
namespace {

std::vector<uint64_t> idsOf(const std::vector<JobRow>& rows) {
  std::vector<uint64_t> ids;
  ids.reserve(rows.size());
  for (const JobRow& row : rows) {
    ids.push_back(row.id);
  }
  return ids;
}

ListFilter filter(std::string queue, std::string kind = "",
                  std::optional<wire::JobState> state = std::nullopt, uint32_t limit = 50,
                  uint64_t after_id = 0) {
  ListFilter f;
  f.queue = std::move(queue);
  f.kind = std::move(kind);
  f.state = state;
  f.limit = limit;
  f.after_id = after_id;
  return f;
}

class ListJobsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    // ids 1..12 alternate between queues and kinds; states cover both tables.
    const wire::JobState states[] = {wire::QUEUED,    wire::RUNNING, wire::FAILED,
                                     wire::SUCCEEDED, wire::DEAD,    wire::CANCELLED};
    WriteBatch batch;
    for (uint64_t id = 1; id <= 12; ++id) {
      JobRow job = makeJob(id, states[(id - 1) % 6]);
      job.fixed.queue = id % 2 == 0 ? "even" : "odd";
      job.fixed.kind = id % 3 == 0 ? "triple" : "plain";
      job.status.result = "result";
      batch.addInsert(job);
    }
    commit(batch);
  }

  std::vector<uint64_t> list(const ListFilter& filter) {
    auto rows = store_->listJobs(filter);
    EXPECT_TRUE(rows.isOk()) << rows.status().toString();
    return rows.isOk() ? idsOf(rows.value()) : std::vector<uint64_t>{};
  }
};

TEST_F(ListJobsTest, ListsBothTablesInIdOrderWithoutPayloadOrResult) {
  auto rows = store_->listJobs(ListFilter{});
  ASSERT_TRUE(rows.isOk()) << rows.status().toString();
  EXPECT_EQ(idsOf(rows.value()), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  for (const JobRow& row : rows.value()) {
    EXPECT_TRUE(row.fixed.payload.empty());
    EXPECT_TRUE(row.status.result.empty());
    EXPECT_EQ(row.fixed.kind, row.id % 3 == 0 ? "triple" : "plain");
  }
  EXPECT_EQ(rows.value()[3].status.state, wire::SUCCEEDED);
}

TEST_F(ListJobsTest, FiltersByQueueKindAndState) {
  EXPECT_EQ(list(filter("even")), (std::vector<uint64_t>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(list(filter("", "triple")), (std::vector<uint64_t>{3, 6, 9, 12}));
  EXPECT_EQ(list(filter("even", "triple")), (std::vector<uint64_t>{6, 12}));
  EXPECT_EQ(list(filter("", "", wire::DEAD)), (std::vector<uint64_t>{5, 11}));
  EXPECT_EQ(list(filter("", "", wire::QUEUED)), (std::vector<uint64_t>{1, 7}));
  EXPECT_EQ(list(filter("odd", "", wire::DEAD)), (std::vector<uint64_t>{5, 11}));
  EXPECT_EQ(list(filter("even", "", wire::DEAD)), (std::vector<uint64_t>{}));
  EXPECT_EQ(list(filter("nope")), (std::vector<uint64_t>{}));
  // Unspecified means any state, as on the wire.
  EXPECT_EQ(list(filter("", "", wire::JOB_STATE_UNSPECIFIED)).size(), 12u);
}

TEST_F(ListJobsTest, PagesWithAfterIdAndLimit) {
  EXPECT_EQ(list(filter("", "", std::nullopt, 5)), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(list(filter("", "", std::nullopt, 5, 5)), (std::vector<uint64_t>{6, 7, 8, 9, 10}));
  EXPECT_EQ(list(filter("", "", std::nullopt, 5, 10)), (std::vector<uint64_t>{11, 12}));
  EXPECT_EQ(list(filter("", "", std::nullopt, 5, 12)), (std::vector<uint64_t>{}));
  EXPECT_EQ(list(filter("odd", "", std::nullopt, 2, 3)), (std::vector<uint64_t>{5, 7}));
}

TEST_F(StoreTest, ListLimitDefaultsToFiftyAndIsCappedAtOneThousand) {
  WriteBatch batch;
  for (uint64_t id = 1; id <= 1005; ++id) {
    batch.addInsert(makeJob(id, id % 2 == 0 ? wire::SUCCEEDED : wire::QUEUED));
  }
  commit(batch);

  auto defaulted = store_->listJobs(filter("", "", std::nullopt, 0));
  ASSERT_TRUE(defaulted.isOk()) << defaulted.status().toString();
  EXPECT_EQ(defaulted->size(), 50u);
  auto capped = store_->listJobs(filter("", "", std::nullopt, 5000));
  ASSERT_TRUE(capped.isOk()) << capped.status().toString();
  ASSERT_EQ(capped->size(), 1000u);
  EXPECT_EQ(capped->back().id, 1000u);
}

TEST_F(StoreTest, GetJobFindsActiveAndFinishedJobsAndNothingElse) {
  WriteBatch batch;
  batch.addInsert(makeJob(1));
  batch.addInsert(makeJob(2, wire::SUCCEEDED));
  commit(batch);

  EXPECT_EQ(get(1)->job.status.state, wire::QUEUED);
  EXPECT_EQ(get(2)->job.status.state, wire::SUCCEEDED);
  auto missing = store_->getJob(3, true);
  ASSERT_TRUE(missing.isOk()) << missing.status().toString();
  EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace gantry::broker
