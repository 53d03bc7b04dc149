#include "batch_writer.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <unordered_map>
#include <vector>

#include "copy_writer.h"
#include "gantry/common/job_state.h"
#include "job_columns.h"

namespace gantry::broker::store {
namespace {

// Each staged transition touches one active row by its key. Nested loops
// over the primary key keep the cost proportional to the batch; a hash or
// merge join would scan the whole active table, which with a backlog is
// far larger than any batch.
constexpr const char* kJoinByKey =
    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;";

// Active rows take the staged status; final ones move to history with it.
const std::string& applyTransitionsSql() {
  static const std::string sql = "UPDATE gantry_jobs j SET " + statusAssignments("s") + " FROM " +
                                 kStageTransitions + " s WHERE j.id = s.id AND s.state IN (" +
                                 activeStateList() + ");";
  return sql;
}

// The fixed columns come from the active row, the status from the
// transition.
const std::string& moveFinishedSql() {
  static const std::string sql =
      "WITH moved AS (DELETE FROM gantry_jobs j USING " + std::string(kStageTransitions) +
      " s WHERE j.id = s.id AND s.state IN (" + finalStateList() + ") RETURNING " +
      jobSelectList("j", "s") + ") INSERT INTO gantry_job_history (" + jobColumns() +
      ") SELECT * FROM moved;";
  return sql;
}

// Inserts staged rows, skipping those already stored. Only for replays.
const std::string& insertStagedSql() {
  static const std::string sql = [] {
    const std::string& jobs = jobColumns();
    const std::string& attempts = attemptColumns();
    return "INSERT INTO gantry_jobs (" + jobs + ") SELECT " + jobs + " FROM " + kStageJobs +
           " WHERE state IN (" + activeStateList() +
           ") ON CONFLICT DO NOTHING;"
           "INSERT INTO gantry_job_history (" +
           jobs + ") SELECT " + jobs + " FROM " + kStageJobs + " WHERE state IN (" +
           finalStateList() +
           ") ON CONFLICT DO NOTHING;"
           "INSERT INTO gantry_job_attempts (" +
           attempts + ") SELECT " + attempts + " FROM " + kStageAttempts +
           " ON CONFLICT DO NOTHING;";
  }();
  return sql;
}

// How far ahead of the ids in use the high-water mark is written. A restart
// skips at most this many ids; in exchange only one commit per block pays
// for the extra UPDATE.
constexpr uint64_t kIdBlock = 10'000;

// The rows of one batch, encoded before the transaction opens so the
// transaction only waits on the database.
template <class Rows>
struct EncodedBatch {
  Rows active_inserts;
  Rows final_inserts;
  Rows transitions;
  size_t final_transitions = 0;
  Rows attempts;
  // The statements after the rows: queue settings and the id mark.
  std::string epilogue;
};

std::string upsertQueues(const std::vector<QueueSetting>& settings) {
  // ON CONFLICT DO UPDATE may touch a row only once per statement, so one
  // row per queue, the last setting winning.
  std::unordered_map<std::string, bool> paused;
  std::vector<const std::string*> order;
  for (const QueueSetting& s : settings) {
    if (paused.insert_or_assign(s.queue, s.paused).second) {
      order.push_back(&s.queue);
    }
  }
  SqlRows rows;
  for (const std::string* queue : order) {
    rows.text(*queue);
    rows.text(paused[*queue] ? "true" : "false");
    rows.endRow();
  }
  return "INSERT INTO gantry_queues (name, paused) VALUES " + rows.data() +
         " ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused;";
}

template <class Rows>
EncodedBatch<Rows> encode(const WriteBatch& batch, uint64_t high_water, uint64_t& new_high_water) {
  EncodedBatch<Rows> out;
  uint64_t max_id = 0;
  for (const JobRow& row : batch.inserts()) {
    encodeJob(row, isFinalState(row.status.state) ? out.final_inserts : out.active_inserts);
    max_id = std::max(max_id, row.id);
  }
  for (const JobTransition& t : batch.transitions()) {
    encodeTransition(t, out.transitions);
    out.final_transitions += isFinalState(t.status.state) ? 1 : 0;
  }
  for (const AttemptRow& a : batch.attempts()) {
    encodeAttempt(a, out.attempts);
  }
  if (!batch.queueSettings().empty()) {
    out.epilogue += upsertQueues(batch.queueSettings());
  }
  new_high_water = high_water;
  if (max_id > high_water) {
    new_high_water = (max_id / kIdBlock + 1) * kIdBlock;
    out.epilogue += "UPDATE gantry_job_ids SET high_water = greatest(high_water, " +
                    std::to_string(toSql(new_high_water)) + ");";
  }
  return out;
}

// The statements that apply staged transitions.
template <class Rows>
std::string applyTransitionsSql(const EncodedBatch<Rows>& rows) {
  std::string apply = kJoinByKey;
  if (rows.final_transitions < rows.transitions.rows()) {
    apply += applyTransitionsSql();
  }
  if (rows.final_transitions > 0) {
    apply += moveFinishedSql();
  }
  return apply;
}

// Transitions are idempotent by construction (an update sets the same
// values again; a move of a job already moved finds nothing). Inserts and
// attempts go straight into their tables, unless `replay`: then they are
// staged and inserted with ON CONFLICT DO NOTHING, so stored rows are
// skipped.
void writeByCopy(pqxx::connection& connection, const EncodedBatch<CopyRows>& rows, bool replay) {
  pqxx::work tx(connection);
  if (!rows.transitions.empty()) {
    copyRows(tx, kStageTransitions, transitionColumns(), rows.transitions);
    tx.exec(applyTransitionsSql(rows));
  }
  if (replay) {
    copyRows(tx, kStageJobs, jobColumns(), rows.active_inserts);
    copyRows(tx, kStageJobs, jobColumns(), rows.final_inserts);
    copyRows(tx, kStageAttempts, attemptColumns(), rows.attempts);
    tx.exec(insertStagedSql());
  } else {
    copyRows(tx, "gantry_jobs", jobColumns(), rows.active_inserts);
    copyRows(tx, "gantry_job_history", jobColumns(), rows.final_inserts);
    copyRows(tx, "gantry_job_attempts", attemptColumns(), rows.attempts);
  }
  if (!rows.epilogue.empty()) {
    tx.exec(rows.epilogue);
  }
  tx.commit();
}

void appendInsert(std::string& sql, const std::string& table, const std::string& columns,
                  const SqlRows& rows) {
  if (!rows.empty()) {
    sql += "INSERT INTO " + table + " (" + columns + ") VALUES " + rows.data() + ";";
  }
}

// The same writes as writeByCopy, as one string: Postgres runs the
// statements of one simple query as one transaction, and a failing
// statement rolls back the ones before it.
void writeInOneTrip(pqxx::connection& connection, const EncodedBatch<SqlRows>& rows, bool replay) {
  std::string sql;
  if (!rows.transitions.empty()) {
    appendInsert(sql, kStageTransitions, transitionColumns(), rows.transitions);
    sql += applyTransitionsSql(rows);
  }
  if (replay) {
    appendInsert(sql, kStageJobs, jobColumns(), rows.active_inserts);
    appendInsert(sql, kStageJobs, jobColumns(), rows.final_inserts);
    appendInsert(sql, kStageAttempts, attemptColumns(), rows.attempts);
    sql += insertStagedSql();
  } else {
    appendInsert(sql, "gantry_jobs", jobColumns(), rows.active_inserts);
    appendInsert(sql, "gantry_job_history", jobColumns(), rows.final_inserts);
    appendInsert(sql, "gantry_job_attempts", attemptColumns(), rows.attempts);
  }
  sql += rows.epilogue;
  pqxx::nontransaction(connection).exec(sql);
}

uint64_t maxId(const WriteBatch& batch) {
  uint64_t max_id = 0;
  for (const JobRow& row : batch.inserts()) {
    max_id = std::max(max_id, row.id);
  }
  return max_id;
}

// Rows per piece of a streamed COPY: enough to make each message worth
// sending, few enough that Postgres is busy inserting the first pieces
// while the rest are encoded.
constexpr size_t kStreamedRows = 256;

// New jobs alone, the usual batch of submits, are written by one
// statement outside a transaction block, which Postgres commits on its
// own: no BEGIN or COMMIT round trip. A few go as a prepared INSERT, in one
// round trip with nothing to parse or plan.
void insertNewJobs(pqxx::connection& connection, const WriteBatch& batch) {
  ParamRows rows;
  for (const JobRow& row : batch.inserts()) {
    encodeJob(row, rows);
  }
  pqxx::nontransaction(connection)
      .exec_prepared(insertJobsStatement(rows.rows()),
                     pqxx::prepare::make_dynamic_params(rows.values()));
}

// More go as one COPY, which parses far less per row than a VALUES list
// and streams the rows while later ones are still being encoded.
void streamNewJobs(pqxx::connection& connection, const WriteBatch& batch) {
  pqxx::nontransaction tx(connection);
  CopyStream copy(tx, "gantry_jobs", jobColumns());
  CopyRows piece;
  for (const JobRow& row : batch.inserts()) {
    encodeJob(row, piece);
    if (piece.rows() == kStreamedRows) {
      copy.write(piece);
      piece.clear();
    }
  }
  copy.write(piece);
  copy.complete();
}

template <class Rows, class Write>
uint64_t encodeAndWrite(pqxx::connection& connection, const WriteBatch& batch, uint64_t high_water,
                        Write write) {
  uint64_t new_high_water = 0;
  const EncodedBatch<Rows> rows = encode<Rows>(batch, high_water, new_high_water);
  try {
    write(connection, rows, false);
  } catch (const pqxx::unique_violation&) {
    // Some rows are stored already: this batch is being replayed after a
    // commit whose outcome was unknown (the connection broke during
    // COMMIT), and that commit went through. The fast way cannot skip
    // rows, so write the batch again the slower, idempotent way.
    write(connection, rows, true);
  }
  return new_high_water;
}

}  // namespace

Status checkStates(const WriteBatch& batch) {
  for (const JobRow& row : batch.inserts()) {
    if (!parseJobState(jobStateName(row.status.state))) {
      return invalidArgument("commit: job " + std::to_string(row.id) + " has state " +
                             std::to_string(row.status.state) + ", which is not a job state");
    }
  }
  for (const JobTransition& t : batch.transitions()) {
    if (!parseJobState(jobStateName(t.status.state))) {
      return invalidArgument("commit: transition of job " + std::to_string(t.id) + " has state " +
                             std::to_string(t.status.state) + ", which is not a job state");
    }
  }
  return Status::ok();
}

uint64_t writeBatch(pqxx::connection& connection, const WriteBatch& batch, uint64_t high_water,
                    size_t one_trip_rows) {
  if (batch.onlyNewJobs() && maxId(batch) <= high_water) {
    try {
      if (batch.inserts().size() <= std::min(one_trip_rows, kMaxPreparedInsertRows)) {
        insertNewJobs(connection, batch);
      } else {
        streamNewJobs(connection, batch);
      }
      return high_water;
    } catch (const pqxx::unique_violation&) {
      // A replay (see encodeAndWrite), written the idempotent way.
      uint64_t unchanged = 0;
      writeByCopy(connection, encode<CopyRows>(batch, high_water, unchanged), true);
      return high_water;
    }
  }
  const size_t rows = batch.inserts().size() + batch.transitions().size() + batch.attempts().size();
  if (rows <= one_trip_rows) {
    return encodeAndWrite<SqlRows>(connection, batch, high_water, writeInOneTrip);
  }
  return encodeAndWrite<CopyRows>(connection, batch, high_water, writeByCopy);
}

}  // namespace gantry::broker::store
