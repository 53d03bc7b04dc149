// The broker's Postgres adapter: the only place that speaks SQL for jobs.
// libpqxx exceptions stop here and become Status values. One PgStore owns
// one connection and is used by one thread (the committer, or the reader);
// it is not thread-safe.
//
// Tables (db/migrations/0001_init.up.sql): gantry_jobs holds the jobs that
// are not final; gantry_job_history (finished jobs) and gantry_job_attempts
// are partitioned by UTC day of finished_at_ms, which maintain() manages.
//
// Errors: kUnavailable when the database cannot be reached or the
// connection was lost (then broken() is true and the owner reconnects; after
// a lost commit the outcome is unknown and the message says so),
// kFailedPrecondition when the schema is missing, kInvalidArgument for a
// batch the store cannot represent, kInternal for anything else.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry/broker/core/store_types.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/pg/pqxx_fwd.h"

namespace gantry::broker {

class PgStore {
 public:
  // Connects and sets up the session (synchronous_commit = on, UTF-8, hex
  // bytea output); fails with kUnavailable (message names the target
  // without its password) when the database cannot be reached, and with
  // kInvalidArgument when `conninfo` is malformed.
  static Result<std::unique_ptr<PgStore>> connect(const std::string& conninfo);
  ~PgStore();
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Fails with kFailedPrecondition, naming `gantryctl migrate up`, when the
  // schema is not at the version this build expects.
  Status checkSchema();

  // Writes the whole batch in one transaction (synchronous_commit = on):
  // inserts of non-final jobs go to the active table, final ones straight to
  // history; non-final transitions update the active row, final ones move
  // it to history with the transition's fields; attempts are appended;
  // queue settings are upserted (the last one per queue wins). Rows are
  // applied with set-based statements, so the cost grows with the batch,
  // not with the number of statements. A batch of new jobs alone is one
  // statement that commits on its own (a prepared INSERT for a few, a COPY
  // for more); another small batch costs one round trip, a large one a few
  // (it is streamed with COPY); an empty one costs none. A transition for
  // a job that is not in the active table changes nothing (it was finished
  // or revived meanwhile): failing the batch would fail every other
  // acknowledgement in it. Text that Postgres cannot store (NUL bytes,
  // invalid UTF-8) is stored with U+FFFD in place of the bad bytes; bytes
  // fields round-trip exactly. A final row with finished_at_ms = 0 is stored
  // with its updated_at_ms there, since history is partitioned and expired
  // by finish time. Idempotent: committing a batch again (the retry after
  // kUnavailable when the connection broke during COMMIT and the outcome is
  // unknown) applies it once; rows already stored are skipped, not
  // duplicated or refused. kInvalidArgument, before any I/O, for a row
  // whose state is not a JobState.
  Status commit(const WriteBatch& batch);

  // Reads what a starting broker needs in one consistent snapshot: first
  // the paused queues and the largest id (`begin`), then every job that is
  // not final (`job`, one at a time, each row reused after the call): those
  // recorded running first, then the others, each group by ascending id.
  // Rows stream as COPY text, decoded while the server sends more, and are
  // never all held at once. Returns how many jobs it read.
  Result<uint64_t> recover(const std::function<void(const RecoveredState&)>& begin,
                           const std::function<void(JobRow&)>& job);

  // Moves dead jobs back to the active table as queued with attempt 0,
  // run_at = updated_at = now, last_error kept and the attempt fields
  // (started/finished time, worker, lease, result) cleared, in one
  // transaction. Each revived job takes a place in `room`; one whose queue
  // has none left stays dead. One result per distinct id, in first-seen
  // order: ok with the row, kNotFound, kFailedPrecondition (the job is not
  // dead) or kResourceExhausted (its queue is full).
  Result<std::vector<ReviveResult>> revive(const std::vector<uint64_t>& ids, TimeMs now,
                                           QueueRoom room);

  // The job from the active table, else from history; nullopt when neither
  // has it. Attempts only when asked.
  Result<std::optional<JobWithAttempts>> getJob(uint64_t id, bool with_attempts);
  // The states of those of `ids` that are finished (in history).
  Result<std::unordered_map<uint64_t, wire::JobState>> finalStates(
      const std::vector<uint64_t>& ids);
  // Jobs from both tables matching the filter, ascending id, ids greater
  // than after_id; limit 0 means 50 and is capped at 1000. Payload and
  // result are left empty.
  Result<std::vector<JobRow>> listJobs(const ListFilter& filter);

  // For gantry_job_history and gantry_job_attempts: drops the day
  // partitions wholly older than now - retention_ms (no per-row deletes),
  // creates the partitions for yesterday..today+2 (UTC) that are missing,
  // and deletes expired rows from the DEFAULT partition in batches. Run it
  // at start, before the first commit, and then periodically (hourly is
  // plenty); cheap when nothing is due. Dropping a partition briefly locks
  // history: it gives up after 500 ms with kUnavailable rather than stall
  // commits, and the next run retries. REQUIRES: retention_ms > 0.
  Status maintain(TimeMs now, int64_t retention_ms);

  // Ownership: one broker at a time serves a database. The owner's
  // connection holds a session advisory lock for as long as it lives, and
  // each broker that takes the lock increments the recorded epoch
  // (db/migrations/0003_broker_owner.up.sql).
  //
  // Takes ownership unless another session holds it: the new epoch, or
  // nullopt when another broker owns the database.
  Result<std::optional<uint64_t>> tryTakeOwnership(const std::string& holder, TimeMs now);
  // The owner as recorded by the last tryTakeOwnership that succeeded.
  Result<BrokerOwner> owner();
  // For a new connection after the owner's previous one broke: takes the
  // lock back if the database is still at `epoch`. kFailedPrecondition when
  // another broker owns it or owned it meanwhile (the caller's state is
  // stale: it must stop). kUnavailable when the caller's previous session
  // (`previous_backend_pid`) still holds the lock, as after a network
  // failure the server has not noticed yet: that session is ended, and a
  // retry a moment later succeeds.
  Status resumeOwnership(uint64_t epoch, int previous_backend_pid);
  // The server process serving this connection.
  int backendPid() const { return backend_pid_; }

  // True after a failed call broke the connection; the owner reconnects.
  bool broken() const;
  // The connection's socket, to wait on while idle: it turns readable when
  // the server sends something unasked, as when it ends the session.
  int socket() const;
  // Reads what the server sent unasked; the store is broken afterwards if
  // the server ended the session.
  void checkConnection();

  // Commits of at most this many rows (inserts, transitions and attempts
  // together) travel as one string of statements, in one round trip; larger
  // ones by COPY, which parses far less per row. Tests force either way.
  // Batches of new jobs alone take a prepared INSERT up to the smaller of
  // this and kMaxPreparedInsertRows (job_columns.h), else COPY.
  static constexpr size_t kDefaultOneTripRows = 64;
  void setOneTripRows(size_t rows) { one_trip_rows_ = rows; }

 private:
  explicit PgStore(std::unique_ptr<pqxx::connection> connection);
  // Converts a libpqxx exception, noting when it broke the connection.
  Status fail(const std::exception& error, const char* context);
  // Creates this connection's staging table once. Throws.
  void ensureStaging();

  std::unique_ptr<pqxx::connection> connection_;
  const int backend_pid_;
  bool broken_ = false;
  bool staging_ready_ = false;
  // The job-id high-water mark this connection has already stored. Ids are
  // recorded a block ahead, so most commits need no extra statement.
  uint64_t id_high_water_ = 0;
  size_t one_trip_rows_ = kDefaultOneTripRows;
};

}  // namespace gantry::broker
