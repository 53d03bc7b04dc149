// PgStore: connection, schema check, group commit and the reads the broker
// needs. SQL for commits is set-based: rows arrive by COPY (into the tables,
// or into a per-connection staging table for transitions) and one statement
// applies each kind of change to all of them.
#include "gantry/broker/pg_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <unordered_map>
#include <unordered_set>

#include "copy_writer.h"
#include "job_columns.h"
#include "partitions.h"
#include "gantry/pg/migrator.h"
#include "gantry/pg/pg_error.h"

namespace gantry::broker {
namespace {

using store::CopyRows;

constexpr uint32_t kDefaultListLimit = 50;
constexpr uint32_t kMaxListLimit = 1000;
// Rows per FETCH while recovering, so a large backlog is never held twice
// in memory (libpq's result and our rows) all at once.
constexpr int kRecoverFetchRows = 10000;

// Every commit is durable before the broker acknowledges it, whatever the
// server's default; the rest makes result decoding and text encoding
// predictable.
constexpr const char* kSessionSetup =
    "SET synchronous_commit = on; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'";

// Each staged transition touches one active row by its key. Nested loops
// over the primary key keep the cost proportional to the batch; a hash or
// merge join would scan the whole active table, which with a backlog is
// far larger than any batch.
constexpr const char* kJoinByKey = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;";

constexpr const char* kApplyTransitions =
    "UPDATE gantry_jobs j SET state = s.state, attempt = s.attempt, run_at_ms = s.run_at_ms,"
    " updated_at_ms = s.updated_at_ms, started_at_ms = s.started_at_ms,"
    " finished_at_ms = s.finished_at_ms, worker_id = s.worker_id, lease = s.lease,"
    " result = s.result, last_error = s.last_error"
    " FROM gantry_stage_transitions s"
    " WHERE j.id = s.id AND s.state IN ('queued', 'running', 'failed');";

// Immutable columns come from the active row, mutable ones from the
// transition, in kJobColumns order.
constexpr const char* kMoveFinished =
    "WITH moved AS ("
    " DELETE FROM gantry_jobs j USING gantry_stage_transitions s"
    " WHERE j.id = s.id AND s.state IN ('succeeded', 'dead', 'cancelled')"
    " RETURNING j.id, j.queue, j.kind, j.priority, j.payload, j.concurrency_key, j.unique_key,"
    " j.traceparent, s.run_at_ms, j.max_attempts, j.timeout_ms, s.state, s.attempt,"
    " j.created_at_ms, s.updated_at_ms, s.started_at_ms, s.finished_at_ms, s.result,"
    " s.last_error, s.worker_id, s.lease)"
    " INSERT INTO gantry_job_history SELECT * FROM moved;";

constexpr const char* kGetJob = "gantry_get_job";
constexpr const char* kGetAttempts = "gantry_get_attempts";

std::string idArray(const std::vector<uint64_t>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += std::to_string(store::toSql(ids[i]));
  }
  out += '}';
  return out;
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
};

EncodedBatch encode(const WriteBatch& batch) {
  EncodedBatch out;
  for (const JobRow& row : batch.inserts()) {
    store::encodeJob(row, store::isFinal(row.state) ? out.final_inserts : out.active_inserts);
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

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::connect(const std::string& conninfo) {
  auto connection = pg::openConnection(conninfo);
  if (!connection.isOk()) {
    return connection.status();
  }
  try {
    pqxx::connection& c = *connection.value();
    pqxx::nontransaction(c).exec(kSessionSetup);
    c.prepare(kGetJob, std::string("SELECT ") + store::kJobColumns +
                           " FROM gantry_jobs WHERE id = $1 UNION ALL SELECT " +
                           store::kJobColumns + " FROM gantry_job_history WHERE id = $1 LIMIT 1");
    c.prepare(kGetAttempts, std::string("SELECT ") + store::kAttemptColumns +
                                " FROM gantry_job_attempts WHERE job_id = $1"
                                " ORDER BY started_at_ms, attempt, finished_at_ms");
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
  pqxx::nontransaction(*connection_).exec(store::kCreateStageTable);
  staging_ready_ = true;
}

Status PgStore::commit(const WriteBatch& batch) {
  if (batch.empty()) {
    return Status::ok();
  }
  if (Status s = checkStates(batch); !s.isOk()) {
    return s;
  }
  const EncodedBatch rows = encode(batch);
  try {
    ensureStaging();
    pqxx::work tx(*connection_);
    if (!rows.transitions.empty()) {
      store::copyRows(tx, store::kStageTable, store::kStageColumns, rows.transitions);
      std::string apply = kJoinByKey;
      if (rows.final_transitions < rows.transitions.rows()) {
        apply += kApplyTransitions;
      }
      if (rows.final_transitions > 0) {
        apply += kMoveFinished;
      }
      tx.exec(apply);
    }
    store::copyRows(tx, "gantry_jobs", store::kJobColumns, rows.active_inserts);
    store::copyRows(tx, "gantry_job_history", store::kJobColumns, rows.final_inserts);
    store::copyRows(tx, "gantry_job_attempts", store::kAttemptColumns, rows.attempts);
    if (!rows.queue_settings.empty()) {
      tx.exec(upsertQueues(tx, rows.queue_settings));
    }
    tx.commit();
  } catch (const std::exception& e) {
    return fail(e, "commit");
  }
  return Status::ok();
}

Result<RecoveredState> PgStore::recover() {
  RecoveredState state;
  try {
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*connection_);
    tx.exec(std::string("DECLARE gantry_recover NO SCROLL CURSOR FOR SELECT ") +
            store::kJobColumns + " FROM gantry_jobs ORDER BY id");
    const std::string fetch = "FETCH " + std::to_string(kRecoverFetchRows) + " FROM gantry_recover";
    while (true) {
      const pqxx::result rows = tx.exec(fetch);
      for (const auto& row : rows) {
        state.active.push_back(store::decodeJob(row));
      }
      if (rows.size() < static_cast<pqxx::result::size_type>(kRecoverFetchRows)) {
        break;
      }
    }
    tx.exec("CLOSE gantry_recover");
    for (const auto& row : tx.exec("SELECT name FROM gantry_queues WHERE paused ORDER BY name")) {
      state.paused_queues.push_back(row[0].as<std::string>());
    }
    const pqxx::row max = tx.exec1(
        "SELECT greatest(coalesce((SELECT max(id) FROM gantry_jobs), 0),"
        " coalesce((SELECT max(id) FROM gantry_job_history), 0))");
    state.max_job_id = store::fromSql(max[0].as<int64_t>());
    tx.commit();
  } catch (const std::exception& e) {
    return fail(e, "recover");
  }
  return state;
}

Result<std::vector<ReviveResult>> PgStore::revive(const std::vector<uint64_t>& ids, TimeMs now) {
  std::vector<uint64_t> unique;
  {
    std::unordered_set<uint64_t> seen;
    for (const uint64_t id : ids) {
      if (seen.insert(id).second) {
        unique.push_back(id);
      }
    }
  }
  std::vector<ReviveResult> results;
  if (unique.empty()) {
    return results;
  }
  try {
    pqxx::work tx(*connection_);
    const std::string array = idArray(unique);
    const pqxx::result revived = tx.exec_params(
        std::string("WITH moved AS (DELETE FROM gantry_job_history"
                    " WHERE id = ANY($1::bigint[]) AND state = 'dead' RETURNING *)"
                    " INSERT INTO gantry_jobs (") +
            store::kJobColumns +
            ") SELECT id, queue, kind, priority, payload, concurrency_key, unique_key,"
            " traceparent, $2, max_attempts, timeout_ms, 'queued', 0, created_at_ms, $2, 0, 0,"
            " '\\x'::bytea, last_error, '', 0 FROM moved RETURNING " +
            store::kJobColumns,
        array, now);
    std::unordered_map<uint64_t, JobRow> rows;
    for (const auto& row : revived) {
      JobRow job = store::decodeJob(row);
      rows.emplace(job.id, std::move(job));
    }
    std::unordered_map<uint64_t, std::string> states;
    if (rows.size() < unique.size()) {
      const pqxx::result others = tx.exec_params(
          "SELECT id, state FROM gantry_jobs WHERE id = ANY($1::bigint[])"
          " UNION ALL SELECT id, state FROM gantry_job_history WHERE id = ANY($1::bigint[])",
          array);
      for (const auto& row : others) {
        states.emplace(store::fromSql(row[0].as<int64_t>()), row[1].as<std::string>());
      }
    }
    tx.commit();
    for (const uint64_t id : unique) {
      ReviveResult result;
      result.id = id;
      if (auto it = rows.find(id); it != rows.end()) {
        result.row = std::move(it->second);
      } else if (auto st = states.find(id); st != states.end()) {
        result.status = failedPrecondition("job " + std::to_string(id) + " is " + st->second +
                                           ", not dead; only dead jobs can be revived");
      } else {
        result.status = notFound("job " + std::to_string(id) + " not found");
      }
      results.push_back(std::move(result));
    }
  } catch (const std::exception& e) {
    return fail(e, "revive");
  }
  return results;
}

Result<std::optional<JobWithAttempts>> PgStore::getJob(uint64_t id, bool with_attempts) {
  try {
    pqxx::nontransaction tx(*connection_);
    const pqxx::result jobs = tx.exec_prepared(kGetJob, store::toSql(id));
    if (jobs.empty()) {
      return std::optional<JobWithAttempts>();
    }
    JobWithAttempts out;
    out.job = store::decodeJob(jobs[0]);
    if (with_attempts) {
      for (const auto& row : tx.exec_prepared(kGetAttempts, store::toSql(id))) {
        out.attempts.push_back(store::decodeAttempt(row));
      }
    }
    return std::optional<JobWithAttempts>(std::move(out));
  } catch (const std::exception& e) {
    return fail(e, "get job");
  }
}

Result<std::vector<JobRow>> PgStore::listJobs(const ListFilter& filter) {
  const uint32_t limit =
      filter.limit == 0 ? kDefaultListLimit : std::min(filter.limit, kMaxListLimit);
  // A final state lives only in history, any other only in the active table.
  bool scan_active = true;
  bool scan_history = true;
  std::string state_clause;
  if (filter.state.has_value() && *filter.state != wire::JOB_STATE_UNSPECIFIED) {
    const std::string_view name = store::stateName(*filter.state);
    if (name.empty()) {
      return invalidArgument("list: " + std::to_string(*filter.state) + " is not a job state");
    }
    // A literal (from our fixed set) rather than a parameter, so the planner
    // can use the partial index on history's rarer states.
    state_clause = " AND state = '" + std::string(name) + "'";
    scan_active = !store::isFinal(*filter.state);
    scan_history = store::isFinal(*filter.state);
  }
  const std::string where = " WHERE id > $1 AND ($2::text = '' OR queue = $2)"
                            " AND ($3::text = '' OR kind = $3)" + state_clause;
  const std::string order = " ORDER BY id LIMIT " + std::to_string(limit);
  const auto branch = [&](const char* table) {
    return std::string("(SELECT ") + store::kJobColumnsWithoutBlobs + " FROM " + table + where +
           order + ")";
  };
  std::string sql;
  if (scan_active && scan_history) {
    sql = "SELECT * FROM (" + branch("gantry_jobs") + " UNION ALL " +
          branch("gantry_job_history") + ") AS jobs" + order;
  } else {
    sql = branch(scan_active ? "gantry_jobs" : "gantry_job_history");
  }
  try {
    pqxx::nontransaction tx(*connection_);
    const pqxx::result rows =
        tx.exec_params(sql, store::toSql(filter.after_id), filter.queue, filter.kind);
    std::vector<JobRow> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      out.push_back(store::decodeJob(row));
    }
    return out;
  } catch (const std::exception& e) {
    return fail(e, "list jobs");
  }
}

Status PgStore::maintain(TimeMs now, int64_t retention_ms) {
  if (retention_ms <= 0) {
    return invalidArgument("maintain: retention must be positive, got " +
                           std::to_string(retention_ms) + " ms");
  }
  try {
    for (const char* parent : {"gantry_job_history", "gantry_job_attempts"}) {
      store::maintainPartitions(*connection_, parent, now, now - retention_ms);
    }
  } catch (const std::exception& e) {
    return fail(e, "maintain");
  }
  return Status::ok();
}

}  // namespace gantry::broker
