// Postgres for handlers' own writes: the domain rows a meeting sync or an
// episode's processing produces, written from handler threads through a
// fixed-size pool of connections (gantry/pg/connection_pool.h). Not the
// broker's job store: handlers never see that.
//
// The worker builds one Database when --handler-database-url is set and
// hands the same shared_ptr to every handler that asks for it (see
// docs/database-pool.md); without the setting there is none.
//
// Each write() runs the handler's function in one transaction on a pooled
// connection and commits it:
//  - The wait for a free connection ends when the attempt is cancelled or
//    reaches its deadline; statements get the rest of the deadline as their
//    statement_timeout, so a slow query does not outlive the attempt.
//  - A connection found broken before the commit (the server restarted, an
//    operator or a failover terminated it) is replaced and the function runs
//    once more, on a fresh connection: nothing of the first run was
//    committed. A connection lost during the commit is NOT retried: the
//    commit may have happened, and running the function again blindly could
//    apply it twice. That is reported as kUnavailable ("the outcome is
//    unknown"); the job's retry runs the function again, which is why
//    handlers write idempotent upserts keyed by natural keys (handler.h).
//  - Anything the function throws rolls the transaction back and becomes
//    the returned Status; nothing propagates to the handler as an exception.
//  - Each call is a CLIENT span "db <operation>", a child of the attempt's
//    span, with db.system.name and db.operation.name; on failure the span
//    records the error. `operation` names what is done ("upsert meeting"),
//    never SQL text or values: spans leave the process.
//
// Thread-safe: handler threads call it concurrently.
#pragma once

#include <functional>
#include <string_view>

#include <pqxx/transaction>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/pg/connection_pool.h"
#include "gantry/worker/handler.h"

namespace gantry::worker {

class Database {
 public:
  // Connects lazily (the first write opens the first connection), so a
  // worker starts even while the database is down. `clock` turns the
  // attempt's wall-clock deadline into a wait. REQUIRES: options.size >= 1;
  // `clock` outlives the Database.
  explicit Database(pg::PoolOptions options, const Clock& clock = SystemClock::instance());

  // Runs `fn` in a read-write transaction and commits. Ok when committed;
  // otherwise nothing was committed, except where noted:
  //   kUnavailable        no connection (the database cannot be reached, or
  //                       the attempt was cancelled or reached its deadline
  //                       while waiting for one), the connection was lost
  //                       twice, the commit's outcome is unknown (it may
  //                       have been committed), or a transient server error
  //                       (serialization failure, deadlock, statement
  //                       timeout): retrying the job later can succeed
  //   kInvalidArgument    the server refused the values (a constraint or a
  //                       data error, SQLSTATE class 22/23): a retry with
  //                       the same payload fails the same way
  //   kFailedPrecondition a table or column is missing (schema not migrated)
  //   kInternal           any other SQL error (a bug in the statement), or
  //                       an exception `fn` threw itself
  // Messages start with "db <operation>: " and carry the server's text and
  // SQLSTATE, never a password.
  Status write(JobContext& ctx, std::string_view operation,
               const std::function<void(pqxx::work&)>& fn);
  // As write(), in a read-only transaction (nothing to commit, so a
  // connection loss at any point is retried once).
  Status read(JobContext& ctx, std::string_view operation,
              const std::function<void(pqxx::read_transaction&)>& fn);

  pg::PoolStats stats() const { return pool_.stats(); }

 private:
  template <typename Transaction>
  Status run(JobContext& ctx, std::string_view operation,
             const std::function<void(Transaction&)>& fn);
  // The attempt's deadline on the pool's clock; Deadline::max() for none.
  pg::ConnectionPool::Deadline waitDeadline(const JobContext& ctx) const;

  pg::ConnectionPool pool_;
  const Clock& clock_;
};

}  // namespace gantry::worker
