// Shared set-up for the PgStore tests: a fresh, migrated database per test
// on the process's throwaway cluster, plus builders for rows.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <pqxx/connection>
#include <string>
#include <utility>
#include <vector>

#include "gantry/broker/store/pg_store.h"
#include "gantry/common/job_state.h"
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
  JobFixed& fixed = job.fixed;
  fixed.queue = "default";
  fixed.kind = "email.send";
  fixed.priority = 3;
  fixed.payload = std::string("payload-") + std::to_string(id);
  fixed.concurrency_key = "user:" + std::to_string(id % 7);
  fixed.unique_key = "";
  fixed.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  fixed.max_attempts = 5;
  fixed.timeout_ms = 30000;
  fixed.created_at_ms = kNow - 1000;
  JobStatus& status = job.status;
  status.state = state;
  status.run_at_ms = kNow;
  status.attempt = 0;
  status.updated_at_ms = kNow - 1000;
  if (isFinalState(state)) {
    status.attempt = 1;
    status.started_at_ms = kNow - 500;
    status.finished_at_ms = kNow;
    status.updated_at_ms = kNow;
    status.worker_id = "w1";
  }
  return job;
}

inline JobTransition makeTransition(uint64_t id, wire::JobState state, TimeMs at) {
  JobTransition t;
  t.id = id;
  t.status.state = state;
  t.status.attempt = 1;
  t.status.run_at_ms = kNow;
  t.status.updated_at_ms = at;
  t.status.started_at_ms = at - 100;
  t.status.finished_at_ms = isFinalState(state) ? at : 0;
  t.status.worker_id = "worker-a";
  t.status.lease = 0xFEDCBA9876543210ULL;  // above 2^63: stored bit for bit
  return t;
}

// Every field of a record, by name, as text, in the record's own order
// (job_record.h), so two records compare field by field and a field added
// to the record is compared without changing any test.
struct FieldLister {
  std::vector<std::pair<std::string, std::string>>& out;
  void operator()(const char* name, const std::string& value) { out.emplace_back(name, value); }
  void operator()(const char* name, const std::string& value, AsBytes) {
    out.emplace_back(name, value);
  }
  void operator()(const char* name, wire::JobState state) {
    out.emplace_back(name, std::string(jobStateName(state)));
  }
  void operator()(const char* name, wire::Outcome outcome) {
    out.emplace_back(name, std::string(outcomeName(outcome)));
  }
  template <class Integer>
  void operator()(const char* name, Integer value) {
    out.emplace_back(name, std::to_string(value));
  }
};

inline std::vector<std::pair<std::string, std::string>> fieldsOf(const JobRow& row) {
  std::vector<std::pair<std::string, std::string>> out;
  visitJob(row, FieldLister{out});
  return out;
}

inline std::vector<std::pair<std::string, std::string>> fieldsOf(const AttemptRow& row) {
  std::vector<std::pair<std::string, std::string>> out;
  visitAttempt(row, FieldLister{out});
  return out;
}

// What PgStore::recover delivered, all of it.
struct Recovered {
  std::vector<JobRow> active;  // in delivery order
  std::vector<std::string> paused_queues;
  uint64_t max_job_id = 0;
};

inline Result<Recovered> recoverAll(PgStore& store) {
  Recovered out;
  auto count = store.recover(
      [&](const RecoveredState& state) {
        out.paused_queues = state.paused_queues;
        out.max_job_id = state.max_job_id;
      },
      [&](JobRow& row) { out.active.push_back(row); });
  if (!count.isOk()) {
    return count.status();
  }
  EXPECT_EQ(*count, out.active.size());
  return out;
}

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
