// How the store's rows map to columns: the column lists of the job,
// history, attempt and staging tables, the text names of states and
// outcomes, row encoders (COPY text or SQL literals) and result-row
// decoders. Store-internal; pure functions, thread-safe.
#pragma once

#include <pqxx/connection>
#include <pqxx/row>
#include <string>
#include <string_view>

#include "gantry/broker/core/write_batch.h"
#include "row_text.h"

namespace gantry::broker::store {

// Column list shared by gantry_jobs and gantry_job_history, in the order
// encodeJob writes and decodeJob reads.
extern const char* const kJobColumns;
// Same order, with payload and result replaced by empty values, for lists.
extern const char* const kJobColumnsWithoutBlobs;
extern const char* const kAttemptColumns;
// Per-connection staging tables: transitions on every commit (with
// kStageColumns); jobs and attempts (with kJobColumns / kAttemptColumns)
// only when a batch is replayed. kCreateStageTables creates all three.
extern const char* const kStageTransitions;
extern const char* const kStageColumns;
extern const char* const kStageJobs;
extern const char* const kStageAttempts;
extern const char* const kCreateStageTables;

// Prepared statements every store connection has: the job by id (active
// table first, then history; $1 = id) and its attempts in start order
// ($1 = job id).
extern const char* const kGetJobStatement;
extern const char* const kGetAttemptsStatement;
// INSERTs of 1 to kMaxPreparedInsertRows new jobs into gantry_jobs, one
// statement per row count: kJobColumns values row after row, as ParamRows
// encodes them. Prepared, they cost neither parsing nor planning per commit.
inline constexpr size_t kMaxPreparedInsertRows = 16;
// REQUIRES: 1 <= rows <= kMaxPreparedInsertRows.
std::string insertJobsStatement(size_t rows);
// Registers them all on `connection` (libpqxx prepares each on first use).
void prepareStatements(pqxx::connection& connection);

// Text stored in the state column; empty for JOB_STATE_UNSPECIFIED and
// values outside the enum.
std::string_view stateName(wire::JobState state);
// Inverse of stateName; JOB_STATE_UNSPECIFIED for unknown text.
wire::JobState stateFromName(std::string_view name);

std::string_view outcomeName(wire::Outcome outcome);
wire::Outcome outcomeFromName(std::string_view name);

// uint64 ids and leases are stored bit for bit in bigint columns.
inline int64_t toSql(uint64_t value) {
  return static_cast<int64_t>(value);
}
inline uint64_t fromSql(int64_t value) {
  return static_cast<uint64_t>(value);
}

// Encoders, one row each, in the column orders above. Rows is CopyRows,
// SqlRows or ParamRows (row_text.h).
template <class Rows>
void encodeJob(const JobRow& job, Rows& out);
template <class Rows>
void encodeTransition(const JobTransition& transition, Rows& out);
template <class Rows>
void encodeAttempt(const AttemptRow& attempt, Rows& out);

// REQUIRES: `row` holds kJobColumns (or kJobColumnsWithoutBlobs) in order,
// starting at column `first`. Throws pqxx or std exceptions on bad data.
JobRow decodeJob(const pqxx::row& row, int first = 0);
// REQUIRES: `row` holds kAttemptColumns in order.
AttemptRow decodeAttempt(const pqxx::row& row);

}  // namespace gantry::broker::store
