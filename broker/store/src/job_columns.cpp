#include "job_columns.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "bytea_hex.h"
#include "gantry/common/job_spec.h"

namespace gantry::broker::store {

const char* const kJobColumns =
    "id, queue, kind, priority, payload, concurrency_key, unique_key, traceparent, run_at_ms, "
    "max_attempts, timeout_ms, state, attempt, created_at_ms, updated_at_ms, started_at_ms, "
    "finished_at_ms, result, last_error, worker_id, lease";

const char* const kJobColumnsWithoutBlobs =
    "id, queue, kind, priority, '\\x'::bytea, concurrency_key, unique_key, traceparent, "
    "run_at_ms, max_attempts, timeout_ms, state, attempt, created_at_ms, updated_at_ms, "
    "started_at_ms, finished_at_ms, '\\x'::bytea, last_error, worker_id, lease";

const char* const kAttemptColumns =
    "job_id, attempt, worker_id, started_at_ms, finished_at_ms, outcome, error";

const char* const kStageTransitions = "gantry_stage_transitions";

const char* const kStageColumns =
    "id, state, attempt, run_at_ms, updated_at_ms, started_at_ms, finished_at_ms, worker_id, "
    "lease, result, last_error";

const char* const kStageJobs = "gantry_stage_jobs";
const char* const kStageAttempts = "gantry_stage_attempts";

// Temporary, so each connection has its own and nothing is WAL-logged;
// emptied at every commit, so a failed batch leaves nothing behind. No
// CHECK constraints: the job stage holds active and final rows alike.
const char* const kCreateStageTables =
    "CREATE TEMP TABLE IF NOT EXISTS gantry_stage_transitions ("
    "  id bigint NOT NULL,"
    "  state text NOT NULL,"
    "  attempt bigint NOT NULL,"
    "  run_at_ms bigint NOT NULL,"
    "  updated_at_ms bigint NOT NULL,"
    "  started_at_ms bigint NOT NULL,"
    "  finished_at_ms bigint NOT NULL,"
    "  worker_id text NOT NULL,"
    "  lease bigint NOT NULL,"
    "  result bytea NOT NULL,"
    "  last_error text NOT NULL"
    ") ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS gantry_stage_jobs (LIKE gantry_jobs INCLUDING DEFAULTS)"
    "  ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS gantry_stage_attempts"
    "  (LIKE gantry_job_attempts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

const char* const kGetJobStatement = "gantry_get_job";
const char* const kGetAttemptsStatement = "gantry_get_attempts";

std::string insertJobsStatement(size_t rows) {
  return "gantry_insert_jobs_" + std::to_string(rows);
}

void prepareStatements(pqxx::connection& connection) {
  const std::string_view columns = kJobColumns;
  const size_t column_count =
      static_cast<size_t>(std::count(columns.begin(), columns.end(), ',')) + 1;
  std::string values;
  size_t parameter = 0;
  for (size_t rows = 1; rows <= kMaxPreparedInsertRows; ++rows) {
    values += rows == 1 ? "(" : ",(";
    for (size_t column = 0; column < column_count; ++column) {
      values += (column == 0 ? "$" : ",$") + std::to_string(++parameter);
    }
    values += ")";
    connection.prepare(insertJobsStatement(rows), std::string("INSERT INTO gantry_jobs (") +
                                                      kJobColumns + ") VALUES " + values);
  }
  connection.prepare(kGetJobStatement, std::string("SELECT ") + kJobColumns +
                                           " FROM gantry_jobs WHERE id = $1 UNION ALL SELECT " +
                                           kJobColumns +
                                           " FROM gantry_job_history WHERE id = $1 LIMIT 1");
  connection.prepare(kGetAttemptsStatement, std::string("SELECT ") + kAttemptColumns +
                                                " FROM gantry_job_attempts WHERE job_id = $1"
                                                " ORDER BY started_at_ms, attempt, finished_at_ms");
}

std::string_view stateName(wire::JobState state) {
  switch (state) {
    case wire::QUEUED:
      return "queued";
    case wire::RUNNING:
      return "running";
    case wire::FAILED:
      return "failed";
    case wire::SUCCEEDED:
      return "succeeded";
    case wire::DEAD:
      return "dead";
    case wire::CANCELLED:
      return "cancelled";
    default:
      return {};
  }
}

wire::JobState stateFromName(std::string_view name) {
  for (const wire::JobState state :
       {wire::QUEUED, wire::RUNNING, wire::FAILED, wire::SUCCEEDED, wire::DEAD, wire::CANCELLED}) {
    if (stateName(state) == name) {
      return state;
    }
  }
  return wire::JOB_STATE_UNSPECIFIED;
}

std::string_view outcomeName(wire::Outcome outcome) {
  switch (outcome) {
    case wire::OUTCOME_SUCCEEDED:
      return "succeeded";
    case wire::OUTCOME_RETRYABLE:
      return "retryable";
    case wire::OUTCOME_FATAL:
      return "fatal";
    case wire::OUTCOME_CANCELLED:
      return "cancelled";
    case wire::OUTCOME_HANDED_BACK:
      return "handed_back";
    default:
      return "unspecified";
  }
}

wire::Outcome outcomeFromName(std::string_view name) {
  for (const wire::Outcome outcome :
       {wire::OUTCOME_SUCCEEDED, wire::OUTCOME_RETRYABLE, wire::OUTCOME_FATAL,
        wire::OUTCOME_CANCELLED, wire::OUTCOME_HANDED_BACK}) {
    if (outcomeName(outcome) == name) {
      return outcome;
    }
  }
  return wire::OUTCOME_UNSPECIFIED;
}

namespace {

// History is partitioned by finished_at_ms and retention counts from it. A
// final row without it would be filed under 1970 and deleted by the next
// maintenance, so it is filed under its last update instead.
TimeMs finishedAt(wire::JobState state, TimeMs finished_at_ms, TimeMs updated_at_ms) {
  return isFinalState(state) && finished_at_ms == 0 ? updated_at_ms : finished_at_ms;
}

}  // namespace

template <class Rows>
void encodeJob(const JobRow& job, Rows& out) {
  out.integer(toSql(job.id));
  out.text(job.queue);
  out.text(job.kind);
  out.integer(job.priority);
  out.bytes(job.payload);
  out.text(job.concurrency_key);
  out.text(job.unique_key);
  out.text(job.traceparent);
  out.integer(job.run_at_ms);
  out.integer(job.max_attempts);
  out.integer(job.timeout_ms);
  out.text(stateName(job.state));
  out.integer(job.attempt);
  out.integer(job.created_at_ms);
  out.integer(job.updated_at_ms);
  out.integer(job.started_at_ms);
  out.integer(finishedAt(job.state, job.finished_at_ms, job.updated_at_ms));
  out.bytes(job.result);
  out.text(job.last_error);
  out.text(job.worker_id);
  out.integer(toSql(job.lease));
  out.endRow();
}

template <class Rows>
void encodeTransition(const JobTransition& t, Rows& out) {
  out.integer(toSql(t.id));
  out.text(stateName(t.state));
  out.integer(t.attempt);
  out.integer(t.run_at_ms);
  out.integer(t.updated_at_ms);
  out.integer(t.started_at_ms);
  out.integer(finishedAt(t.state, t.finished_at_ms, t.updated_at_ms));
  out.text(t.worker_id);
  out.integer(toSql(t.lease));
  out.bytes(t.result);
  out.text(t.last_error);
  out.endRow();
}

template <class Rows>
void encodeAttempt(const AttemptRow& a, Rows& out) {
  out.integer(toSql(a.job_id));
  out.integer(a.attempt);
  out.text(a.worker_id);
  out.integer(a.started_at_ms);
  out.integer(a.finished_at_ms);
  out.text(outcomeName(a.outcome));
  out.text(a.error);
  out.endRow();
}

template void encodeJob(const JobRow&, CopyRows&);
template void encodeJob(const JobRow&, SqlRows&);
template void encodeJob(const JobRow&, ParamRows&);
template void encodeTransition(const JobTransition&, CopyRows&);
template void encodeTransition(const JobTransition&, SqlRows&);
template void encodeAttempt(const AttemptRow&, CopyRows&);
template void encodeAttempt(const AttemptRow&, SqlRows&);

JobRow decodeJob(const pqxx::row& row, int first) {
  const auto col = [&](int i) { return row[first + i]; };
  const auto text = [&](int i) { return std::string(col(i).c_str(), col(i).size()); };
  JobRow job;
  job.id = fromSql(col(0).as<int64_t>());
  job.queue = text(1);
  job.kind = text(2);
  job.priority = col(3).as<int32_t>();
  job.payload = decodeByteaHex(std::string_view(col(4).c_str(), col(4).size()));
  job.concurrency_key = text(5);
  job.unique_key = text(6);
  job.traceparent = text(7);
  job.run_at_ms = col(8).as<int64_t>();
  job.max_attempts = static_cast<uint32_t>(col(9).as<int64_t>());
  job.timeout_ms = static_cast<uint32_t>(col(10).as<int64_t>());
  job.state = stateFromName(std::string_view(col(11).c_str(), col(11).size()));
  job.attempt = static_cast<uint32_t>(col(12).as<int64_t>());
  job.created_at_ms = col(13).as<int64_t>();
  job.updated_at_ms = col(14).as<int64_t>();
  job.started_at_ms = col(15).as<int64_t>();
  job.finished_at_ms = col(16).as<int64_t>();
  job.result = decodeByteaHex(std::string_view(col(17).c_str(), col(17).size()));
  job.last_error = text(18);
  job.worker_id = text(19);
  job.lease = fromSql(col(20).as<int64_t>());
  return job;
}

AttemptRow decodeAttempt(const pqxx::row& row) {
  AttemptRow a;
  a.job_id = fromSql(row[0].as<int64_t>());
  a.attempt = static_cast<uint32_t>(row[1].as<int64_t>());
  a.worker_id = std::string(row[2].c_str(), row[2].size());
  a.started_at_ms = row[3].as<int64_t>();
  a.finished_at_ms = row[4].as<int64_t>();
  a.outcome = outcomeFromName(std::string_view(row[5].c_str(), row[5].size()));
  a.error = std::string(row[6].c_str(), row[6].size());
  return a;
}

}  // namespace gantry::broker::store
