// PgStore's reads and the operations beside the group commit: recovery,
// revive, job lookup and listing, partition maintenance.
#include "gantry/broker/store/pg_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <unordered_map>
#include <unordered_set>

#include "copy_reader.h"
#include "gantry/common/job_state.h"
#include "gantry/pg/pg_error.h"
#include "job_columns.h"
#include "partitions.h"

namespace gantry::broker {
namespace {

// Moves dead jobs ($1, an id array) back to the active table as fresh
// queued jobs at $2: the fixed fields and the last error stay, the rest of
// the status starts over.
const std::string& revivedJobsSql() {
  static const std::string sql =
      "WITH moved AS (DELETE FROM gantry_job_history WHERE id = ANY($1::bigint[]) AND state = "
      "'dead' RETURNING *) INSERT INTO gantry_jobs (" +
      store::jobColumns() + ") SELECT " +
      store::jobSelectList("moved", "moved",
                           {{"state", "'queued'"},
                            {"attempt", "0"},
                            {"run_at_ms", "$2"},
                            {"updated_at_ms", "$2"},
                            {"started_at_ms", "0"},
                            {"finished_at_ms", "0"},
                            {"result", "'\\x'::bytea"},
                            {"worker_id", "''"},
                            {"lease", "0"},
                            {"degraded", "''"}}) +
      " FROM moved RETURNING " + store::jobColumns();
  return sql;
}

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

}  // namespace

Result<uint64_t> PgStore::recover(const std::function<void(const RecoveredState&)>& begin,
                                  const std::function<void(JobRow&)>& job) {
  uint64_t count = 0;
  try {
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*connection_);
    RecoveredState state;
    for (const auto& row : tx.exec("SELECT name FROM gantry_queues WHERE paused ORDER BY name")) {
      state.paused_queues.push_back(row[0].as<std::string>());
    }
    const pqxx::row max = tx.exec1(
        "SELECT greatest(coalesce((SELECT max(id) FROM gantry_jobs), 0),"
        " coalesce((SELECT max(id) FROM gantry_job_history), 0),"
        " (SELECT high_water FROM gantry_job_ids))");
    state.max_job_id = store::fromSql(max[0].as<int64_t>());
    begin(state);
    // Running jobs first: they hold key, kind and queue slots the others
    // must respect.
    const std::string running = "'" + std::string(jobStateName(wire::RUNNING)) + "'";
    JobRow row;
    std::string line;
    for (const std::string& which : {"state = " + running, "state <> " + running}) {
      store::CopyReader reader(tx, "SELECT " + store::jobColumns() + " FROM gantry_jobs WHERE " +
                                       which + " ORDER BY id");
      while (reader.next(line)) {
        store::decodeJobCopy(line, row);
        job(row);
        ++count;
      }
    }
    tx.commit();
  } catch (const std::exception& e) {
    return fail(e, "recover");
  }
  return count;
}

Result<std::vector<ReviveResult>> PgStore::revive(const std::vector<uint64_t>& ids, TimeMs now,
                                                  QueueRoom room) {
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
    // Admit dead jobs in request order while their queues have room.
    std::unordered_map<uint64_t, std::string> dead_queue;
    for (const auto& row :
         tx.exec_params("SELECT id, queue FROM gantry_job_history WHERE id = ANY($1::bigint[])"
                        " AND state = 'dead'",
                        idArray(unique))) {
      dead_queue.emplace(store::fromSql(row[0].as<int64_t>()), row[1].as<std::string>());
    }
    std::vector<uint64_t> admitted;
    std::unordered_map<uint64_t, Status> refused;
    for (const uint64_t id : unique) {
      auto it = dead_queue.find(id);
      if (it == dead_queue.end()) {
        continue;
      }
      if (Status room_left = room.take(it->second); room_left.isOk()) {
        admitted.push_back(id);
      } else {
        refused.emplace(id, std::move(room_left));
      }
    }
    const std::string array = idArray(admitted);
    const pqxx::result revived = tx.exec_params(revivedJobsSql(), array, now);
    std::unordered_map<uint64_t, JobRow> rows;
    for (const auto& row : revived) {
      JobRow job = store::decodeJob(row);
      rows.emplace(job.id, std::move(job));
    }
    std::unordered_map<uint64_t, std::string> states;
    if (rows.size() + refused.size() < unique.size()) {
      const pqxx::result others = tx.exec_params(
          "SELECT id, state FROM gantry_jobs WHERE id = ANY($1::bigint[])"
          " UNION ALL SELECT id, state FROM gantry_job_history WHERE id = ANY($1::bigint[])",
          idArray(unique));
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
      } else if (auto full = refused.find(id); full != refused.end()) {
        result.status = full->second;
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
    const pqxx::result jobs = tx.exec_prepared(store::kGetJobStatement, store::toSql(id));
    if (jobs.empty()) {
      return std::optional<JobWithAttempts>();
    }
    JobWithAttempts out;
    out.job = store::decodeJob(jobs[0]);
    if (with_attempts) {
      for (const auto& row : tx.exec_prepared(store::kGetAttemptsStatement, store::toSql(id))) {
        out.attempts.push_back(store::decodeAttempt(row));
      }
    }
    return std::optional<JobWithAttempts>(std::move(out));
  } catch (const std::exception& e) {
    return fail(e, "get job");
  }
}

Result<std::unordered_map<uint64_t, wire::JobState>> PgStore::finalStates(
    const std::vector<uint64_t>& ids) {
  std::unordered_map<uint64_t, wire::JobState> states;
  if (ids.empty()) {
    return states;
  }
  try {
    pqxx::nontransaction tx(*connection_);
    for (const auto& row :
         tx.exec_params("SELECT id, state FROM gantry_job_history WHERE id = ANY($1::bigint[])",
                        idArray(ids))) {
      if (auto state = parseJobState(row[1].c_str())) {
        states.emplace(store::fromSql(row[0].as<int64_t>()), *state);
      }
    }
  } catch (const std::exception& e) {
    return fail(e, "final states");
  }
  return states;
}

Result<std::vector<JobRow>> PgStore::listJobs(const ListFilter& filter) {
  const uint32_t limit = filter.effectiveLimit();
  // A final state lives only in history, any other only in the active table.
  bool scan_active = true;
  bool scan_history = true;
  std::string state_clause;
  if (filter.state.has_value() && *filter.state != wire::JOB_STATE_UNSPECIFIED) {
    const std::string_view name = jobStateName(*filter.state);
    if (!parseJobState(name)) {
      return invalidArgument("list: " + std::to_string(*filter.state) + " is not a job state");
    }
    // A literal (from our fixed set) rather than a parameter, so the planner
    // can use the partial index on history's rarer states.
    state_clause = " AND state = '" + std::string(name) + "'";
    scan_active = !isFinalState(*filter.state);
    scan_history = isFinalState(*filter.state);
  }
  const std::string where =
      " WHERE id > $1 AND ($2::text = '' OR queue = $2)"
      " AND ($3::text = '' OR kind = $3)" +
      state_clause;
  const std::string order = " ORDER BY id LIMIT " + std::to_string(limit);
  const auto branch = [&](const char* table) {
    return "(SELECT " + store::jobColumnsWithoutBlobs() + " FROM " + std::string(table) + where +
           order + ")";
  };
  std::string sql;
  if (scan_active && scan_history) {
    sql = "SELECT * FROM (" + branch("gantry_jobs") + " UNION ALL " + branch("gantry_job_history") +
          ") AS jobs" + order;
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
