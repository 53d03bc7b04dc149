// The job record (job_record.h) through every way the store writes it and
// every way it reads it back. Every text field holds hostile text (quotes,
// backslashes, control characters, SQL and COPY syntax, non-ASCII
// characters; never NUL, which Postgres text cannot hold), every bytes field
// every byte value, every integer a distinct value, 64-bit ones above 2^63.
// The values are set through the record's visitors, so a field added to the
// record is covered without changing this test.
#include <gtest/gtest.h>

#include "broker/store/store_fixture.h"

namespace gantry::broker {
namespace {

const std::string kHostile =
    "it's \"quoted\" \\back\\slashed\\ \t tab \n newline \r return \\N \\x41 %s $1 ; -- /* */ "
    "\x01\x1f\x7f caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 ";

std::string everyByte() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
  }
  return bytes;
}

// Fills every field of a record with a hostile value of its type, leaving
// states and outcomes (which the test chooses) alone.
struct Hostile {
  int64_t seed;
  void operator()(const char* name, std::string& value) { value = kHostile + name; }
  void operator()(const char*, std::string& value, AsBytes) { value = everyByte() + everyByte(); }
  void operator()(const char*, wire::JobState&) {}
  void operator()(const char*, wire::Outcome&) {}
  void operator()(const char*, uint64_t& value) { value = 0x8000000000000000ULL + ++seed; }
  void operator()(const char*, int64_t& value) { value = kNow + ++seed; }
  void operator()(const char*, int32_t& value) { value = static_cast<int32_t>(++seed % 10); }
  void operator()(const char*, uint32_t& value) { value = 4'000'000'000u + ++seed; }
};

JobRow hostileJob(uint64_t id, wire::JobState state) {
  JobRow row;
  visitJob(row, Hostile{static_cast<int64_t>(id) * 100});
  row.id = id;
  row.status.state = state;
  return row;
}

JobStatus hostileStatus(wire::JobState state, int64_t seed) {
  JobStatus status;
  visitStatus(status, Hostile{seed});
  status.state = state;
  return status;
}

AttemptRow hostileAttempt(uint64_t job_id, int64_t seed) {
  AttemptRow attempt;
  visitAttempt(attempt, Hostile{seed});
  attempt.job_id = job_id;
  attempt.outcome = wire::OUTCOME_RETRYABLE;
  return attempt;
}

// What lists show: the job without its bytes.
JobRow withoutBlobs(JobRow row) {
  row.fixed.payload.clear();
  row.status.result.clear();
  return row;
}

class JobRecordTest : public StoreTest {
 protected:
  // The job as get, list and recover (when it is not final) read it back.
  void expectStoredEverywhere(const JobRow& expected) {
    SCOPED_TRACE("job " + std::to_string(expected.id));
    const auto stored = get(expected.id, false);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(fieldsOf(stored->job), fieldsOf(expected));

    ListFilter filter;
    filter.after_id = expected.id - 1;
    filter.limit = 1;
    auto listed = store_->listJobs(filter);
    ASSERT_TRUE(listed.isOk()) << listed.status().toString();
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(fieldsOf(listed->at(0)), fieldsOf(withoutBlobs(expected)));

    if (!isFinalState(expected.status.state)) {
      auto recovered = recoverAll(*store_);
      ASSERT_TRUE(recovered.isOk()) << recovered.status().toString();
      bool found = false;
      for (const JobRow& row : recovered->active) {
        if (row.id == expected.id) {
          EXPECT_EQ(fieldsOf(row), fieldsOf(expected));
          found = true;
        }
      }
      EXPECT_TRUE(found) << "not recovered";
    }
  }
};

TEST_F(JobRecordTest, NewJobsAloneByPreparedInsertAndByCopy) {
  WriteBatch one;  // a prepared INSERT
  one.addInsert(hostileJob(1, wire::QUEUED));
  commit(one);
  WriteBatch many;  // more rows than a prepared INSERT takes: COPY
  for (uint64_t id = 10; id < 10 + 20; ++id) {
    many.addInsert(hostileJob(id, wire::QUEUED));
  }
  commit(many);
  commit(many);  // a replay: skipped, not duplicated or refused
  expectStoredEverywhere(hostileJob(1, wire::QUEUED));
  expectStoredEverywhere(hostileJob(29, wire::QUEUED));
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "21");
}

TEST_F(JobRecordTest, MixedBatchesInOneTripAndByCopyWithTheirTransitionsAndAttempts) {
  for (const size_t one_trip_rows : {size_t{64}, size_t{0}}) {
    store_->setOneTripRows(one_trip_rows);
    const uint64_t base = one_trip_rows == 0 ? 200 : 100;
    SCOPED_TRACE(one_trip_rows == 0 ? "COPY" : "one trip");
    WriteBatch first;
    first.addInsert(hostileJob(base + 1, wire::QUEUED));
    first.addInsert(hostileJob(base + 2, wire::QUEUED));
    first.addInsert(hostileJob(base + 3, wire::DEAD));  // straight to history
    first.addAttempt(hostileAttempt(base + 3, 7));
    commit(first);
    commit(first);  // a replay
    expectStoredEverywhere(hostileJob(base + 1, wire::QUEUED));
    expectStoredEverywhere(hostileJob(base + 3, wire::DEAD));

    // An update in place, and a move to history, each with a hostile status.
    WriteBatch second;
    JobTransition running{base + 1, hostileStatus(wire::RUNNING, 11)};
    JobTransition finished{base + 2, hostileStatus(wire::SUCCEEDED, 13)};
    second.addTransition(running);
    second.addTransition(finished);
    second.addAttempt(hostileAttempt(base + 2, 17));
    commit(second);
    commit(second);  // a replay
    JobRow now_running = hostileJob(base + 1, wire::QUEUED);
    now_running.status = running.status;
    expectStoredEverywhere(now_running);
    JobRow now_finished = hostileJob(base + 2, wire::QUEUED);
    now_finished.status = finished.status;
    expectStoredEverywhere(now_finished);

    const auto with_attempts = get(base + 2, true);
    ASSERT_TRUE(with_attempts.has_value());
    ASSERT_EQ(with_attempts->attempts.size(), 1u);
    EXPECT_EQ(fieldsOf(with_attempts->attempts[0]), fieldsOf(hostileAttempt(base + 2, 17)));
  }
}

TEST_F(JobRecordTest, ReviveKeepsTheFixedPartAndTheLastError) {
  WriteBatch batch;
  batch.addInsert(hostileJob(5, wire::DEAD));
  commit(batch);
  auto results = store_->revive({5}, kNow + 1, QueueRoom({}, BrokerConfig{}));
  ASSERT_TRUE(results.isOk()) << results.status().toString();
  ASSERT_TRUE(results->at(0).row.has_value()) << results->at(0).status.toString();
  JobRow expected = hostileJob(5, wire::DEAD);
  expected.status = JobStatus{};
  expected.status.state = wire::QUEUED;
  expected.status.run_at_ms = kNow + 1;
  expected.status.updated_at_ms = kNow + 1;
  expected.status.last_error = hostileJob(5, wire::DEAD).status.last_error;
  EXPECT_EQ(fieldsOf(*results->at(0).row), fieldsOf(expected));
  expectStoredEverywhere(expected);
}

// A hand-back gives its attempt number back, so the next attempt shares it;
// when both also share their milliseconds (a worker that hands back at
// once, a job that ends at once), they are still two attempts, told apart
// by their leases, and both are stored, however the batch is written.
TEST_F(JobRecordTest, AttemptsSharingTheirNumberAndMillisecondsAreEachStored) {
  for (const size_t one_trip_rows : {size_t{64}, size_t{0}}) {
    store_->setOneTripRows(one_trip_rows);
    const uint64_t id = one_trip_rows == 0 ? 301 : 300;
    WriteBatch batch;
    batch.addInsert(makeJob(id, wire::SUCCEEDED));
    for (const uint64_t lease : {0x1001, 0x2001, 0x3001}) {
      AttemptRow attempt;
      attempt.job_id = id;
      attempt.lease = lease;
      attempt.attempt = 1;
      attempt.started_at_ms = kNow;
      attempt.finished_at_ms = kNow;
      attempt.outcome = lease == 0x3001 ? wire::OUTCOME_SUCCEEDED : wire::OUTCOME_HANDED_BACK;
      batch.addAttempt(attempt);
    }
    commit(batch);
    commit(batch);  // a replay stores each of them once still
    const auto job = get(id, true);
    ASSERT_TRUE(job.has_value());
    ASSERT_EQ(job->attempts.size(), 3u);
    EXPECT_EQ(job->attempts[2].outcome, wire::OUTCOME_SUCCEEDED);
  }
}

}  // namespace
}  // namespace gantry::broker
