// Shared set-up for the PgStore tests: a fresh, migrated database per test
// on the process's throwaway cluster, plus builders for rows.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <pqxx/connection>
#include <string>

#include "gantry/broker/store/pg_store.h"
#include "gantry/pg/migrator.h"
#include "support/test_postgres.h"

namespace gantry::broker {

// 2024-03-10T12:00:00Z: a fixed "now" so partition days are predictable.
inline constexpr TimeMs kNow = 1710072000000;
inline constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;
inline constexpr int64_t kRetentionMs = 7 * kDayMs;

inline JobRow makeJob(uint64_t id, wire::JobState state = wire::QUEUED) {
  JobRow job;
  job.id = id;
  job.queue = "default";
  job.kind = "email.send";
  job.priority = 3;
  job.payload = std::string("payload-") + std::to_string(id);
  job.concurrency_key = "user:" + std::to_string(id % 7);
  job.unique_key = "";
  job.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  job.run_at_ms = kNow;
  job.max_attempts = 5;
  job.timeout_ms = 30000;
  job.state = state;
  job.attempt = 0;
  job.created_at_ms = kNow - 1000;
  job.updated_at_ms = kNow - 1000;
  if (state == wire::SUCCEEDED || state == wire::DEAD || state == wire::CANCELLED) {
    job.attempt = 1;
    job.started_at_ms = kNow - 500;
    job.finished_at_ms = kNow;
    job.updated_at_ms = kNow;
    job.worker_id = "w1";
  }
  return job;
}

inline JobTransition makeTransition(uint64_t id, wire::JobState state, TimeMs at) {
  JobTransition t;
  t.id = id;
  t.state = state;
  t.attempt = 1;
  t.run_at_ms = kNow;
  t.updated_at_ms = at;
  t.started_at_ms = at - 100;
  t.finished_at_ms =
      (state == wire::SUCCEEDED || state == wire::DEAD || state == wire::CANCELLED) ? at : 0;
  t.worker_id = "worker-a";
  t.lease = 0xFEDCBA9876543210ULL;  // above 2^63: stored bit for bit
  return t;
}

#define GANTRY_EXPECT_SAME_JOB(a, b)                       \
  do {                                                     \
    EXPECT_EQ((a).id, (b).id);                             \
    EXPECT_EQ((a).queue, (b).queue);                       \
    EXPECT_EQ((a).kind, (b).kind);                         \
    EXPECT_EQ((a).priority, (b).priority);                 \
    EXPECT_EQ((a).payload, (b).payload);                   \
    EXPECT_EQ((a).concurrency_key, (b).concurrency_key);   \
    EXPECT_EQ((a).unique_key, (b).unique_key);             \
    EXPECT_EQ((a).traceparent, (b).traceparent);           \
    EXPECT_EQ((a).run_at_ms, (b).run_at_ms);               \
    EXPECT_EQ((a).max_attempts, (b).max_attempts);         \
    EXPECT_EQ((a).timeout_ms, (b).timeout_ms);             \
    EXPECT_EQ((a).state, (b).state);                       \
    EXPECT_EQ((a).attempt, (b).attempt);                   \
    EXPECT_EQ((a).created_at_ms, (b).created_at_ms);       \
    EXPECT_EQ((a).updated_at_ms, (b).updated_at_ms);       \
    EXPECT_EQ((a).started_at_ms, (b).started_at_ms);       \
    EXPECT_EQ((a).finished_at_ms, (b).finished_at_ms);     \
    EXPECT_EQ((a).result, (b).result);                     \
    EXPECT_EQ((a).last_error, (b).last_error);             \
    EXPECT_EQ((a).worker_id, (b).worker_id);               \
    EXPECT_EQ((a).lease, (b).lease);                       \
  } while (false)

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = test::TestPostgres::shared().createDatabase();
    auto connection = pg::openConnection(conninfo_);
    ASSERT_TRUE(connection.isOk()) << connection.status().toString();
    auto applied = pg::Migrator(*connection.value()).up();
    ASSERT_TRUE(applied.isOk()) << applied.status().toString();
    auto store = PgStore::connect(conninfo_);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    store_ = std::move(store).value();
    const Status maintained = store_->maintain(kNow, kRetentionMs);
    ASSERT_TRUE(maintained.isOk()) << maintained.toString();
  }

  void TearDown() override {
    store_.reset();
    if (!conninfo_.empty()) {
      test::TestPostgres::shared().dropDatabase(conninfo_);
    }
  }

  void commit(const WriteBatch& batch) {
    const Status status = store_->commit(batch);
    ASSERT_TRUE(status.isOk()) << status.toString();
  }

  // psql output of `query`, trimmed of the final newline.
  std::string sql(const std::string& query) {
    auto out = test::TestPostgres::shared().psql(conninfo_, query);
    EXPECT_TRUE(out.isOk()) << out.status().toString();
    if (!out.isOk()) {
      return {};
    }
    std::string text = out.value();
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    return text;
  }

  std::optional<JobWithAttempts> get(uint64_t id, bool with_attempts = true) {
    auto job = store_->getJob(id, with_attempts);
    EXPECT_TRUE(job.isOk()) << job.status().toString();
    return job.isOk() ? job.value() : std::nullopt;
  }

  std::string conninfo_;
  std::unique_ptr<PgStore> store_;
};

}  // namespace gantry::broker
