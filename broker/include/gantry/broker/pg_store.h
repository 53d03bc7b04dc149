// The broker's Postgres adapter: the only place that speaks SQL for jobs.
// libpqxx exceptions stop here and become Status values. One PgStore owns
// one connection and is used by one thread (the committer, or the reader);
// it is not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gantry/broker/write_batch.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"

namespace pqxx {
class connection;
}

namespace gantry::broker {

// Everything a starting broker needs to rebuild its in-memory index.
struct RecoveredState {
  std::vector<JobRow> active;  // every job not in a final state
  std::vector<std::string> paused_queues;
  uint64_t max_job_id = 0;     // over active and finished jobs
};

struct JobWithAttempts {
  JobRow job;
  std::vector<AttemptRow> attempts;  // ascending by start time
};

struct ListFilter {
  std::string queue;  // empty = any
  std::string kind;   // empty = any
  std::optional<wire::JobState> state;
  uint32_t limit = 50;
  uint64_t after_id = 0;
};

// Outcome of reviving one dead job.
struct ReviveResult {
  uint64_t id = 0;
  Status status;               // not found / not dead
  std::optional<JobRow> row;   // the job, now queued, when status is ok
};

class PgStore {
 public:
  // Connects; fails with kUnavailable (message names the target without
  // its password) when the database cannot be reached.
  static Result<std::unique_ptr<PgStore>> connect(const std::string& conninfo);
  ~PgStore();
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Fails with kFailedPrecondition, naming `gantryctl migrate up`, when the
  // schema is not at the version this build expects.
  Status checkSchema();

  // Writes the whole batch in one transaction (synchronous_commit = on):
  // inserts of non-final jobs go to the active table, final ones straight to
  // history; final transitions move the row from active to history.
  Status commit(const WriteBatch& batch);

  Result<RecoveredState> recover();

  // Moves dead jobs back to the active table as queued with attempt 0,
  // run_at = now. Per id: kNotFound or kFailedPrecondition (not dead).
  Result<std::vector<ReviveResult>> revive(const std::vector<uint64_t>& ids, TimeMs now);

  Result<std::optional<JobWithAttempts>> getJob(uint64_t id, bool with_attempts);
  // Ascending id; payload and result are left empty.
  Result<std::vector<JobRow>> listJobs(const ListFilter& filter);

  // Creates history partitions for the days around `now` and drops those
  // wholly older than now - retention_ms. Cheap when nothing is due.
  Status maintain(TimeMs now, int64_t retention_ms);

  // True after a failed call broke the connection; the owner reconnects.
  bool broken() const;

 private:
  explicit PgStore(std::unique_ptr<pqxx::connection> connection);
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace gantry::broker
