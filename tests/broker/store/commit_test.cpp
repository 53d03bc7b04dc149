// PgStore::commit: where each part of a WriteBatch ends up, with which
// fields, and that bytes survive exactly. Every test runs twice: once with
// every small batch sent in one round trip (a prepared INSERT when it holds
// new jobs alone, else one string of SQL statements), once with every batch
// streamed by COPY, so the ways of writing stay equivalent.
#include <gtest/gtest.h>

#include "broker/store/store_fixture.h"

#include <cstdint>
#include <ostream>

namespace gantry::broker {
namespace {

enum class WritePath { kOneTrip, kCopy };

const char* nameOf(WritePath path) { return path == WritePath::kOneTrip ? "OneTrip" : "Copy"; }

// Names the parameter in test listings (ctest shows it).
void PrintTo(WritePath path, std::ostream* out) { *out << nameOf(path); }

class CommitTest : public StoreTest, public ::testing::WithParamInterface<WritePath> {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (store_ != nullptr) {
      store_->setOneTripRows(GetParam() == WritePath::kOneTrip ? SIZE_MAX : 0);
    }
  }
};

INSTANTIATE_TEST_SUITE_P(BothWritePaths, CommitTest,
                         ::testing::Values(WritePath::kOneTrip, WritePath::kCopy),
                         [](const auto& info) { return std::string(nameOf(info.param)); });

std::string everyByte() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
  }
  // The characters COPY and bytea escaping care about, in awkward places,
  // ending in two NULs (a std::string literal keeps embedded NULs).
  using namespace std::string_literals;
  return bytes + "\0\\\t\n\r\\x00\\\\\0\0"s;
}

TEST_P(CommitTest, EmptyBatchCommits) {
  commit(WriteBatch());
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "0");
}

TEST_P(CommitTest, InsertedQueuedJobIsStoredInTheActiveTableWithEveryField) {
  JobRow job = makeJob(1);
  job.fixed.unique_key = "invoice:77";
  job.status.lease = 42;
  WriteBatch batch;
  batch.addInsert(job);
  commit(batch);

  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs WHERE id = 1 AND state = 'queued'"), "1");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history"), "0");
  const auto stored = get(1);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(fieldsOf(stored->job), fieldsOf(job));
}

TEST_P(CommitTest, InsertedFinalJobGoesStraightToHistory) {
  const JobRow job = makeJob(2, wire::CANCELLED);
  WriteBatch batch;
  batch.addInsert(job);
  commit(batch);

  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "0");
  EXPECT_EQ(sql("SELECT state FROM gantry_job_history WHERE id = 2"), "cancelled");
  const auto stored = get(2);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(fieldsOf(stored->job), fieldsOf(job));
}

TEST_P(CommitTest, BytesRoundTripExactlyIncludingNulAndEscapes) {
  JobRow active = makeJob(3);
  active.fixed.payload = everyByte();
  active.status.result = everyByte() + everyByte();
  JobRow finished = makeJob(4, wire::SUCCEEDED);
  finished.fixed.payload = everyByte();
  finished.status.result = std::string(1, '\0');
  WriteBatch batch;
  batch.addInsert(active);
  batch.addInsert(finished);
  commit(batch);

  auto recovered = recoverAll(*store_);
  ASSERT_TRUE(recovered.isOk()) << recovered.status().toString();
  ASSERT_EQ(recovered->active.size(), 1u);
  EXPECT_EQ(recovered->active[0].fixed.payload, active.fixed.payload);
  EXPECT_EQ(recovered->active[0].status.result, active.status.result);
  EXPECT_EQ(get(4)->job.fixed.payload, finished.fixed.payload);
  EXPECT_EQ(get(4)->job.status.result, finished.status.result);
  EXPECT_EQ(sql("SELECT length(payload) FROM gantry_jobs WHERE id = 3"),
            std::to_string(active.fixed.payload.size()));
}

TEST_P(CommitTest, BytesOfNewJobsAloneRoundTripExactly) {
  JobRow job = makeJob(2);
  job.fixed.payload = everyByte();
  job.status.result = everyByte() + everyByte();
  WriteBatch batch;
  batch.addInsert(job);
  ASSERT_TRUE(batch.onlyNewJobs());
  commit(batch);

  EXPECT_EQ(fieldsOf(get(2)->job), fieldsOf(job));
  EXPECT_EQ(sql("SELECT length(payload) FROM gantry_jobs WHERE id = 2"),
            std::to_string(job.fixed.payload.size()));
}

TEST_P(CommitTest, TransitionResultBytesRoundTripThroughTheStagingTable) {
  WriteBatch first;
  first.addInsert(makeJob(5));
  first.addInsert(makeJob(6));
  commit(first);

  JobTransition failed = makeTransition(5, wire::FAILED, kNow + 10);
  failed.status.result = everyByte();
  JobTransition done = makeTransition(6, wire::SUCCEEDED, kNow + 10);
  done.status.result = everyByte();
  WriteBatch second;
  second.addTransition(failed);
  second.addTransition(done);
  commit(second);

  EXPECT_EQ(get(5)->job.status.result, everyByte());
  EXPECT_EQ(get(6)->job.status.result, everyByte());
}

TEST_P(CommitTest, TextKeepsTabsNewlinesBackslashesAndUnicode) {
  JobRow job = makeJob(7);
  job.status.last_error = "line one\nline\ttwo\\three\r\\N \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  job.fixed.queue = "q\\with\ttab";
  WriteBatch batch;
  batch.addInsert(job);
  commit(batch);

  const auto stored = get(7);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->job.status.last_error, job.status.last_error);
  EXPECT_EQ(stored->job.fixed.queue, job.fixed.queue);
}

TEST_P(CommitTest, TextThatPostgresCannotHoldIsStoredWithReplacementCharacters) {
  JobRow job = makeJob(8);
  job.status.last_error = std::string("nul\0here", 8) + " bad\xFF\xC3(";
  WriteBatch batch;
  batch.addInsert(job);
  batch.addInsert(makeJob(9));  // the rest of the batch is not lost
  commit(batch);

  EXPECT_EQ(get(8)->job.status.last_error, "nul\xEF\xBF\xBDhere bad\xEF\xBF\xBD\xEF\xBF\xBD(");
  EXPECT_TRUE(get(9).has_value());
}

TEST_P(CommitTest, NonFinalTransitionUpdatesTheActiveRow) {
  WriteBatch first;
  first.addInsert(makeJob(10));
  commit(first);

  JobTransition running = makeTransition(10, wire::RUNNING, kNow + 50);
  running.status.attempt = 1;
  WriteBatch second;
  second.addTransition(running);
  commit(second);

  const auto stored = get(10);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->job.status.state, wire::RUNNING);
  EXPECT_EQ(stored->job.status.attempt, 1u);
  EXPECT_EQ(stored->job.status.worker_id, "worker-a");
  EXPECT_EQ(stored->job.status.lease, 0xFEDCBA9876543210ULL);
  EXPECT_EQ(stored->job.status.started_at_ms, kNow - 50);
  EXPECT_EQ(stored->job.status.updated_at_ms, kNow + 50);
  EXPECT_EQ(stored->job.fixed.payload, "payload-10");  // untouched
  EXPECT_EQ(sql("SELECT state FROM gantry_jobs WHERE id = 10"), "running");
}

TEST_P(CommitTest, FinalTransitionMovesTheJobToHistoryWithTheTransitionsFields) {
  const JobRow original = makeJob(11);
  WriteBatch first;
  first.addInsert(original);
  commit(first);

  JobTransition dead = makeTransition(11, wire::DEAD, kNow + 70);
  dead.status.attempt = 5;
  dead.status.last_error = "fatal: token expired";
  dead.status.result = "partial";
  WriteBatch second;
  second.addTransition(dead);
  commit(second);

  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "0");
  EXPECT_EQ(sql("SELECT state || ',' || attempt FROM gantry_job_history WHERE id = 11"), "dead,5");
  const auto stored = get(11);
  ASSERT_TRUE(stored.has_value());
  JobRow expected = original;
  expected.status.state = wire::DEAD;
  expected.status.attempt = 5;
  expected.status.run_at_ms = dead.status.run_at_ms;
  expected.status.updated_at_ms = dead.status.updated_at_ms;
  expected.status.started_at_ms = dead.status.started_at_ms;
  expected.status.finished_at_ms = dead.status.finished_at_ms;
  expected.status.worker_id = dead.status.worker_id;
  expected.status.lease = dead.status.lease;
  expected.status.result = dead.status.result;
  expected.status.last_error = dead.status.last_error;
  EXPECT_EQ(fieldsOf(stored->job), fieldsOf(expected));
}

TEST_P(CommitTest, FinalRowWithoutAFinishTimeIsFiledUnderItsLastUpdate) {
  JobRow cancelled = makeJob(12, wire::CANCELLED);
  cancelled.status.finished_at_ms = 0;
  cancelled.status.updated_at_ms = kNow + 5;
  WriteBatch first;
  first.addInsert(cancelled);
  first.addInsert(makeJob(13));
  commit(first);
  JobTransition dead = makeTransition(13, wire::DEAD, kNow + 6);
  dead.status.finished_at_ms = 0;
  WriteBatch second;
  second.addTransition(dead);
  commit(second);

  // Filed under 1970 they would be deleted by the next maintenance.
  EXPECT_EQ(get(12)->job.status.finished_at_ms, kNow + 5);
  EXPECT_EQ(get(13)->job.status.finished_at_ms, kNow + 6);
  EXPECT_EQ(sql("SELECT string_agg(DISTINCT tableoid::regclass::text, ' ') "
                "FROM gantry_job_history"),
            "gantry_job_history_p20240310");
}

TEST_P(CommitTest, OneBatchAppliesInsertsUpdatesMovesAttemptsAndQueueSettings) {
  WriteBatch first;
  for (uint64_t id = 20; id < 26; ++id) {
    first.addInsert(makeJob(id));
  }
  commit(first);

  WriteBatch batch;
  batch.addInsert(makeJob(30));                   // new, active
  batch.addInsert(makeJob(31, wire::SUCCEEDED));  // new, final
  batch.addTransition(makeTransition(20, wire::RUNNING, kNow + 1));
  batch.addTransition(makeTransition(21, wire::FAILED, kNow + 1));
  batch.addTransition(makeTransition(22, wire::SUCCEEDED, kNow + 1));
  batch.addTransition(makeTransition(23, wire::CANCELLED, kNow + 1));
  AttemptRow attempt;
  attempt.job_id = 22;
  attempt.attempt = 1;
  attempt.worker_id = "worker-a";
  attempt.started_at_ms = kNow;
  attempt.finished_at_ms = kNow + 1;
  attempt.outcome = wire::OUTCOME_SUCCEEDED;
  batch.addAttempt(attempt);
  batch.addQueueSetting({"mail", true});
  commit(batch);

  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_jobs"),
            "20:running 21:failed 24:queued 25:queued 30:queued");
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_job_history"),
            "22:succeeded 23:cancelled 31:succeeded");
  EXPECT_EQ(sql("SELECT job_id || ':' || outcome FROM gantry_job_attempts"), "22:succeeded");
  EXPECT_EQ(sql("SELECT name || ':' || paused FROM gantry_queues"), "mail:true");
}

TEST_P(CommitTest, AttemptsComeBackInStartOrderAndOnlyWhenAsked) {
  WriteBatch batch;
  batch.addInsert(makeJob(40, wire::FAILED));
  for (uint32_t n : {3u, 1u, 2u}) {
    AttemptRow a;
    a.job_id = 40;
    a.attempt = n;
    a.worker_id = "w" + std::to_string(n);
    a.started_at_ms = kNow + TimeMs{n} * 1000;
    a.finished_at_ms = kNow + TimeMs{n} * 1000 + 10;
    a.outcome = wire::OUTCOME_RETRYABLE;
    a.error = "timeout\tafter " + std::to_string(n);
    batch.addAttempt(a);
  }
  commit(batch);

  const auto with = get(40, true);
  ASSERT_TRUE(with.has_value());
  ASSERT_EQ(with->attempts.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(with->attempts[i].attempt, i + 1);
    EXPECT_EQ(with->attempts[i].job_id, 40u);
    EXPECT_EQ(with->attempts[i].worker_id, "w" + std::to_string(i + 1));
    EXPECT_EQ(with->attempts[i].outcome, wire::OUTCOME_RETRYABLE);
    EXPECT_EQ(with->attempts[i].error, "timeout\tafter " + std::to_string(i + 1));
    EXPECT_EQ(with->attempts[i].finished_at_ms, kNow + TimeMs{i + 1} * 1000 + 10);
  }
  EXPECT_TRUE(get(40, false)->attempts.empty());
}

TEST_P(CommitTest, QueueSettingsUpsertAndTheLastOneWins) {
  WriteBatch first;
  first.addQueueSetting({"a", true});
  first.addQueueSetting({"b", true});
  first.addQueueSetting({"a", false});
  first.addQueueSetting({"a", true});
  commit(first);
  WriteBatch second;
  second.addQueueSetting({"b", false});
  commit(second);

  EXPECT_EQ(sql("SELECT string_agg(name || ':' || paused, ' ' ORDER BY name) FROM gantry_queues"),
            "a:true b:false");
}

TEST_P(CommitTest, TransitionOfAnUnknownJobChangesNothingAndTheRestCommits) {
  WriteBatch batch;
  batch.addTransition(makeTransition(999, wire::SUCCEEDED, kNow));
  batch.addTransition(makeTransition(998, wire::RUNNING, kNow));
  batch.addInsert(makeJob(50));
  commit(batch);

  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history"), "0");
  EXPECT_EQ(sql("SELECT string_agg(id::text, ' ') FROM gantry_jobs"), "50");
}

TEST_P(CommitTest, BatchWithAStateThatIsNotAJobStateIsRejectedBeforeWriting) {
  JobRow bad = makeJob(60);
  bad.status.state = wire::JOB_STATE_UNSPECIFIED;
  WriteBatch batch;
  batch.addInsert(makeJob(61));
  batch.addInsert(bad);
  const Status status = store_->commit(batch);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("60"), std::string::npos) << status.message();
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "0");
}

TEST_P(CommitTest, FailedCommitWritesNothingAndTheNextCommitWorks) {
  WriteBatch first;
  first.addInsert(makeJob(70));
  commit(first);

  WriteBatch batch;
  batch.addInsert(makeJob(71));
  batch.addTransition(makeTransition(70, wire::SUCCEEDED, kNow));
  AttemptRow attempt;
  attempt.job_id = 70;
  attempt.attempt = 1;
  attempt.started_at_ms = kNow - 100;
  attempt.finished_at_ms = kNow;
  attempt.outcome = wire::OUTCOME_SUCCEEDED;
  batch.addAttempt(attempt);
  // The last part of the batch cannot be written.
  sql("ALTER TABLE gantry_job_attempts RENAME TO gantry_job_attempts_away");
  const Status status = store_->commit(batch);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.toString();
  EXPECT_FALSE(store_->broken());
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ') FROM gantry_jobs"), "70:queued");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history"), "0");

  sql("ALTER TABLE gantry_job_attempts_away RENAME TO gantry_job_attempts");
  commit(batch);
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ') FROM gantry_jobs"), "71:queued");
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ') FROM gantry_job_history"),
            "70:succeeded");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_attempts"), "1");
}

// The committer retries a batch whose COMMIT lost its connection; if that
// commit went through, the retry must neither fail nor duplicate anything.
TEST_P(CommitTest, CommittingTheSameBatchAgainAppliesItOnce) {
  WriteBatch first;
  first.addInsert(makeJob(80));
  first.addInsert(makeJob(81));
  commit(first);

  WriteBatch batch;
  batch.addInsert(makeJob(82));
  batch.addInsert(makeJob(83, wire::DEAD));
  batch.addTransition(makeTransition(80, wire::RUNNING, kNow + 1));
  batch.addTransition(makeTransition(81, wire::SUCCEEDED, kNow + 1));
  AttemptRow attempt;
  attempt.job_id = 81;
  attempt.attempt = 1;
  attempt.started_at_ms = kNow;
  attempt.finished_at_ms = kNow + 1;
  attempt.outcome = wire::OUTCOME_SUCCEEDED;
  batch.addAttempt(attempt);
  batch.addQueueSetting({"q", true});
  commit(batch);
  commit(batch);

  WriteBatch attempts_only;  // a replay that inserts no job still skips its rows
  attempts_only.addAttempt(attempt);
  commit(attempts_only);

  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_jobs"),
            "80:running 82:queued");
  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_job_history"),
            "81:succeeded 83:dead");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_attempts"), "1");
  EXPECT_EQ(get(82)->job.fixed.payload, "payload-82");
}

// Submits alone are streamed by one COPY that commits on its own; a replay
// of such a batch must take the idempotent way too.
TEST_P(CommitTest, NewJobsAloneCommittedAgainAreStoredOnce) {
  WriteBatch batch;
  for (uint64_t id = 100; id < 103; ++id) {
    batch.addInsert(makeJob(id));
  }
  ASSERT_TRUE(batch.onlyNewJobs());
  commit(batch);
  commit(batch);

  EXPECT_EQ(sql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM gantry_jobs"),
            "100:queued 101:queued 102:queued");
  EXPECT_EQ(fieldsOf(get(101)->job), fieldsOf(makeJob(101)));
}

// The stored row is met only after several pieces of the stream have been
// sent: the failed COPY leaves none of them, and the replay stores each job
// once.
TEST_P(CommitTest, StreamOfNewJobsMeetingAStoredOneEndsWithEachJobOnce) {
  constexpr uint64_t kJobs = 1000;
  WriteBatch stored;
  stored.addInsert(makeJob(kJobs));
  commit(stored);
  sql("UPDATE gantry_jobs SET payload = 'kept' WHERE id = " + std::to_string(kJobs));

  WriteBatch batch;
  for (uint64_t id = 1; id <= kJobs; ++id) {
    batch.addInsert(makeJob(id));
  }
  commit(batch);

  EXPECT_EQ(sql("SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || max(id) FROM gantry_jobs"),
            "1000 1000 1000");
  EXPECT_EQ(get(kJobs)->job.fixed.payload, "kept");  // skipped, not overwritten
  EXPECT_EQ(fieldsOf(get(1)->job), fieldsOf(makeJob(1)));
}

TEST_P(CommitTest, FailedStreamOfNewJobsWritesNothingAndTheNextCommitWorks) {
  WriteBatch batch;
  for (uint64_t id = 1; id <= 600; ++id) {
    batch.addInsert(makeJob(id));
  }
  sql("ALTER TABLE gantry_jobs RENAME TO gantry_jobs_away");
  const Status status = store_->commit(batch);
  EXPECT_FALSE(status.isOk());
  EXPECT_FALSE(store_->broken()) << status.toString();
  sql("ALTER TABLE gantry_jobs_away RENAME TO gantry_jobs");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "0");

  commit(batch);
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "600");
}

TEST_P(CommitTest, BatchOfTwentyThousandInsertsThenTwentyThousandMovesCommits) {
  constexpr uint64_t kJobs = 20000;
  WriteBatch inserts;
  for (uint64_t id = 1; id <= kJobs; ++id) {
    JobRow job = makeJob(id);
    job.fixed.payload = std::string(200, static_cast<char>(id % 256));
    inserts.addInsert(std::move(job));
  }
  commit(inserts);
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), std::to_string(kJobs));

  WriteBatch moves;
  for (uint64_t id = 1; id <= kJobs; ++id) {
    const wire::JobState state = id % 2 == 0 ? wire::SUCCEEDED : wire::RUNNING;
    moves.addTransition(makeTransition(id, state, kNow + 5));
    AttemptRow a;
    a.job_id = id;
    a.attempt = 1;
    a.started_at_ms = kNow;
    a.finished_at_ms = kNow + 5;
    a.outcome = wire::OUTCOME_SUCCEEDED;
    moves.addAttempt(a);
  }
  commit(moves);

  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs WHERE state = 'running'"),
            std::to_string(kJobs / 2));
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            std::to_string(kJobs / 2));
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_attempts"), std::to_string(kJobs));
  EXPECT_EQ(get(kJobs)->job.fixed.payload, std::string(200, static_cast<char>(kJobs % 256)));
}

}  // namespace
}  // namespace gantry::broker
