// PgStore: connection, session set-up, schema check and the group commit.
// SQL for commits is set-based: rows arrive by COPY (into the tables, or into
// a per-connection staging table for transitions) and one statement applies
// each kind of change to all of them. Reads are in pg_store_queries.cpp.
#include "gantry/broker/pg_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <unordered_map>

#include "copy_writer.h"
#include "job_columns.h"
#include "gantry/pg/migrator.h"
#include "gantry/pg/pg_error.h"

namespace gantry::broker {
namespace {

using store::CopyRows;

// Every commit is durable before the broker acknowledges it, whatever the
// server's default; the rest makes result decoding and text encoding
// predictable.
constexpr const char* kSessionSetup =
    "SET synchronous_commit = on; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'";

// Each staged transition touches one active row by its key. Nested loops
// over the primary key keep the cost proportional to the batch; a hash or
// merge join would scan the whole active table, which with a backlog is
// far larger than any batch.
constexpr const char* kJoinByKey =
    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;";

constexpr const char* kApplyTransitions =
    "UPDATE gantry_jobs j SET state = s.state, attempt = s.attempt, run_at_ms = s.run_at_ms,"
    " updated_at_ms = s.updated_at_ms, started_at_ms = s.started_at_ms,"
    " finished_at_ms = s.finished_at_ms, worker_id = s.worker_id, lease = s.lease,"
    " result = s.result, last_error = s.last_error"
    " FROM gantry_stage_transitions s"
    " WHERE j.id = s.id AND s.state IN ('queued', 'running', 'failed');";

// Immutable columns come from the active row, mutable ones from the
// transition, in kJobColumns order.
const std::string& moveFinishedSql() {
  static const std::string sql =
      std::string(
          "WITH moved AS ("
          " DELETE FROM gantry_jobs j USING gantry_stage_transitions s"
          " WHERE j.id = s.id AND s.state IN ('succeeded', 'dead', 'cancelled')"
          " RETURNING j.id, j.queue, j.kind, j.priority, j.payload, j.concurrency_key,"
          " j.unique_key, j.traceparent, s.run_at_ms, j.max_attempts, j.timeout_ms, s.state,"
          " s.attempt, j.created_at_ms, s.updated_at_ms, s.started_at_ms, s.finished_at_ms,"
          " s.result, s.last_error, s.worker_id, s.lease)"
          " INSERT INTO gantry_job_history (") +
      store::kJobColumns + ") SELECT * FROM moved;";
  return sql;
}

Status checkStates(const WriteBatch& batch) {
  for (const JobRow& row : batch.inserts()) {
    if (store::stateName(row.state).empty()) {
      return invalidArgument("commit: job " + std::to_string(row.id) + " has state " +
                             std::to_string(row.state) + ", which is not a job state");
    }
  }
  for (const JobTransition& t : batch.transitions()) {
    if (store::stateName(t.state).empty()) {
      return invalidArgument("commit: transition of job " + std::to_string(t.id) + " has state " +
                             std::to_string(t.state) + ", which is not a job state");
    }
  }
  return Status::ok();
}

// The rows of one batch, encoded before the transaction opens so the
// transaction only waits on the database.
struct EncodedBatch {
  CopyRows active_inserts;
  CopyRows final_inserts;
  CopyRows transitions;
  size_t final_transitions = 0;
  CopyRows attempts;
  std::vector<QueueSetting> queue_settings;  // one per queue, the last wins
  uint64_t max_inserted_id = 0;
  uint64_t new_high_water = 0;  // 0: the stored mark already covers this batch
};

// How far ahead of the ids in use the high-water mark is written. A restart
// skips at most this many ids; in exchange only one commit per block pays
// for the extra UPDATE.
constexpr uint64_t kIdBlock = 10'000;

EncodedBatch encode(const WriteBatch& batch) {
  EncodedBatch out;
  for (const JobRow& row : batch.inserts()) {
    store::encodeJob(row, store::isFinal(row.state) ? out.final_inserts : out.active_inserts);
    out.max_inserted_id = std::max(out.max_inserted_id, row.id);
  }
  for (const JobTransition& t : batch.transitions()) {
    store::encodeTransition(t, out.transitions);
    out.final_transitions += store::isFinal(t.state) ? 1 : 0;
  }
  for (const AttemptRow& a : batch.attempts()) {
    store::encodeAttempt(a, out.attempts);
  }
  // ON CONFLICT DO UPDATE may touch a row only once per statement.
  std::unordered_map<std::string, size_t> index;
  for (const QueueSetting& s : batch.queueSettings()) {
    if (auto it = index.find(s.queue); it != index.end()) {
      out.queue_settings[it->second] = s;
    } else {
      index.emplace(s.queue, out.queue_settings.size());
      out.queue_settings.push_back(s);
    }
  }
  return out;
}

// Inserts staged rows, skipping those already stored. Only for replays.
std::string insertStagedSql() {
  const std::string jobs = store::kJobColumns;
  const std::string attempts = store::kAttemptColumns;
  return "INSERT INTO gantry_jobs (" + jobs + ") SELECT " + jobs + " FROM " + store::kStageJobs +
         " WHERE state IN ('queued', 'running', 'failed') ON CONFLICT DO NOTHING;"
         "INSERT INTO gantry_job_history (" + jobs + ") SELECT " + jobs + " FROM " +
         store::kStageJobs +
         " WHERE state IN ('succeeded', 'dead', 'cancelled') ON CONFLICT DO NOTHING;"
         "INSERT INTO gantry_job_attempts (" + attempts + ") SELECT " + attempts + " FROM " +
         store::kStageAttempts + " ON CONFLICT DO NOTHING;";
}

std::string upsertQueues(pqxx::transaction_base& tx, const std::vector<QueueSetting>& settings) {
  std::string sql = "INSERT INTO gantry_queues (name, paused) VALUES ";
  for (size_t i = 0; i < settings.size(); ++i) {
    sql += i > 0 ? ", (" : "(";
    sql += tx.quote(settings[i].queue);
    sql += settings[i].paused ? ", true)" : ", false)";
  }
  sql += " ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused";
  return sql;
}

// Writes the encoded batch in one transaction. Transitions are idempotent
// by construction (an update sets the same values again; a move of a job
// already moved finds nothing). Inserts and attempts go straight into their
// tables by COPY, unless `replay`: then they are staged and inserted with
// ON CONFLICT DO NOTHING, so rows already stored are skipped.
void writeBatch(pqxx::connection& connection, const EncodedBatch& rows, bool replay) {
  pqxx::work tx(connection);
  if (!rows.transitions.empty()) {
    store::copyRows(tx, store::kStageTransitions, store::kStageColumns, rows.transitions);
    std::string apply = kJoinByKey;
    if (rows.final_transitions < rows.transitions.rows()) {
      apply += kApplyTransitions;
    }
    if (rows.final_transitions > 0) {
      apply += moveFinishedSql();
    }
    tx.exec(apply);
  }
  if (replay) {
    store::copyRows(tx, store::kStageJobs, store::kJobColumns, rows.active_inserts);
    store::copyRows(tx, store::kStageJobs, store::kJobColumns, rows.final_inserts);
    store::copyRows(tx, store::kStageAttempts, store::kAttemptColumns, rows.attempts);
    tx.exec(insertStagedSql());
  } else {
    store::copyRows(tx, "gantry_jobs", store::kJobColumns, rows.active_inserts);
    store::copyRows(tx, "gantry_job_history", store::kJobColumns, rows.final_inserts);
    store::copyRows(tx, "gantry_job_attempts", store::kAttemptColumns, rows.attempts);
  }
  if (!rows.queue_settings.empty()) {
    tx.exec(upsertQueues(tx, rows.queue_settings));
  }
  if (rows.new_high_water > 0) {
    tx.exec("UPDATE gantry_job_ids SET high_water = greatest(high_water, " +
            std::to_string(store::toSql(rows.new_high_water)) + ")");
  }
  tx.commit();
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::connect(const std::string& conninfo) {
  auto connection = pg::openConnection(conninfo);
  if (!connection.isOk()) {
    return connection.status();
  }
  try {
    pqxx::connection& c = *connection.value();
    pqxx::nontransaction(c).exec(kSessionSetup);
    store::prepareStatements(c);
  } catch (const std::exception& e) {
    return pg::statusFromException(e, "setting up the database session");
  }
  return std::unique_ptr<PgStore>(new PgStore(std::move(connection).value()));
}

PgStore::PgStore(std::unique_ptr<pqxx::connection> connection)
    : connection_(std::move(connection)) {}

PgStore::~PgStore() = default;

bool PgStore::broken() const { return broken_ || !connection_->is_open(); }

Status PgStore::fail(const std::exception& error, const char* context) {
  if (pg::isConnectionLoss(error) || !connection_->is_open()) {
    broken_ = true;
  }
  return pg::statusFromException(error, context);
}

Status PgStore::checkSchema() {
  const Status status = pg::checkSchemaVersion(*connection_);
  if (!connection_->is_open()) {
    broken_ = true;
  }
  return status;
}

void PgStore::ensureStaging() {
  if (staging_ready_) {
    return;
  }
  pqxx::nontransaction(*connection_).exec(store::kCreateStageTables);
  staging_ready_ = true;
}

Status PgStore::commit(const WriteBatch& batch) {
  if (batch.empty()) {
    return Status::ok();
  }
  if (Status s = checkStates(batch); !s.isOk()) {
    return s;
  }
  EncodedBatch rows = encode(batch);
  if (rows.max_inserted_id > id_high_water_) {
    rows.new_high_water = (rows.max_inserted_id / kIdBlock + 1) * kIdBlock;
  }
  try {
    ensureStaging();
    try {
      writeBatch(*connection_, rows, false);
    } catch (const pqxx::unique_violation&) {
      // Some rows are stored already: this batch is being replayed after a
      // commit whose outcome was unknown (the connection broke during
      // COMMIT), and that commit went through. The fast path cannot skip
      // rows, so write the batch again the slower, idempotent way.
      writeBatch(*connection_, rows, true);
    }
    id_high_water_ = std::max(id_high_water_, rows.new_high_water);
  } catch (const std::exception& e) {
    return fail(e, "commit");
  }
  return Status::ok();
}

}  // namespace gantry::broker
