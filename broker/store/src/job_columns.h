// How the job record (core/job_record.h) maps to the store's tables. Every
// column list, row encoder and decoder here is derived from the record's
// visitors, in their order: the job tables (gantry_jobs and
// gantry_job_history, same columns), the attempts table, and the staging
// tables the group commit goes through. Store-internal; built once, then
// read-only and thread-safe.
#pragma once

#include <map>
#include <pqxx/connection>
#include <pqxx/row>
#include <string>
#include <string_view>

#include "gantry/broker/core/job_record.h"
#include "row_text.h"

namespace gantry::broker::store {

// "id, queue, kind, ...": every job column, in visitJob order.
const std::string& jobColumns();
// The same, with the bytes columns (payload, result) as empty values: what
// lists show.
const std::string& jobColumnsWithoutBlobs();
// "id, state, attempt, ...": a transition's columns (visitTransition order).
const std::string& transitionColumns();
// Every attempt column, in visitAttempt order.
const std::string& attemptColumns();

// Every job column in visitJob order as a select list: the id and the fixed
// columns qualified by `fixed_from`, the status columns by `status_from`,
// except that `overrides` (column name -> SQL expression) replace some.
// Throws std::logic_error when an override names no column, so a misspelt
// name fails the first query that uses it, in every test.
std::string jobSelectList(std::string_view fixed_from, std::string_view status_from,
                          const std::map<std::string, std::string>& overrides = {});
// "state = s.state, attempt = s.attempt, ...": every status column from
// alias `from`.
std::string statusAssignments(std::string_view from);

// The quoted names of the states a job has in the active table, or in
// history: "'queued', 'running', 'failed'".
const std::string& activeStateList();
const std::string& finalStateList();

// Per-connection staging tables: transitions on every commit (with
// transitionColumns()); jobs and attempts (with jobColumns() /
// attemptColumns()) only when a batch is replayed. createStageTablesSql()
// creates all three.
inline constexpr const char* kStageTransitions = "gantry_stage_transitions";
inline constexpr const char* kStageJobs = "gantry_stage_jobs";
inline constexpr const char* kStageAttempts = "gantry_stage_attempts";
const std::string& createStageTablesSql();

// Prepared statements every store connection has: the job by id (active
// table first, then history; $1 = id) and its attempts in start order
// ($1 = job id).
inline constexpr const char* kGetJobStatement = "gantry_get_job";
inline constexpr const char* kGetAttemptsStatement = "gantry_get_attempts";
// INSERTs of 1 to kMaxPreparedInsertRows new jobs into gantry_jobs, one
// statement per row count: jobColumns() values row after row, as ParamRows
// encodes them. Prepared, they cost neither parsing nor planning per commit.
inline constexpr size_t kMaxPreparedInsertRows = 16;
// REQUIRES: 1 <= rows <= kMaxPreparedInsertRows.
std::string insertJobsStatement(size_t rows);
// Registers them all on `connection` (libpqxx prepares each on first use).
void prepareStatements(pqxx::connection& connection);

// uint64 ids and leases are stored bit for bit in bigint columns.
inline int64_t toSql(uint64_t value) { return static_cast<int64_t>(value); }
inline uint64_t fromSql(int64_t value) { return static_cast<uint64_t>(value); }

// Encoders, one row each, in the column orders above. Rows is CopyRows,
// SqlRows or ParamRows (row_text.h). A final job without finished_at_ms is
// stored with its updated_at_ms there: history is partitioned and expired
// by finish time, and would otherwise file it under 1970.
template <class Rows>
void encodeJob(const JobRow& job, Rows& out);
template <class Rows>
void encodeTransition(const JobTransition& transition, Rows& out);
template <class Rows>
void encodeAttempt(const AttemptRow& attempt, Rows& out);

// REQUIRES: `row` holds jobColumns() (or jobColumnsWithoutBlobs()) in
// order, starting at column `first`. Throws pqxx or std exceptions on bad
// data; an unknown state decodes as JOB_STATE_UNSPECIFIED.
JobRow decodeJob(const pqxx::row& row, int first = 0);
// REQUIRES: `row` holds attemptColumns() in order.
AttemptRow decodeAttempt(const pqxx::row& row);
// One row of `COPY (SELECT jobColumns() ...) TO STDOUT` text into `job`,
// reusing its storage. Throws std::invalid_argument on bad data.
void decodeJobCopy(std::string_view line, JobRow& job);

}  // namespace gantry::broker::store
