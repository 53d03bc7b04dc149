// A fixed-size pool of Postgres connections for threads that each need one
// for a short while (the worker's handler threads writing domain rows).
//
// At most `size` connections exist at once. They are opened lazily, by the
// acquire() that finds no idle one and room for another, so an idle worker
// holds none and a pool that is never used never connects. A connection goes
// back to the pool when its Lease ends; one that is broken (the lease was
// marked broken, or libpq says it is no longer open) is closed instead and
// its slot is free for a fresh connection on the next acquire(). A broken
// connection usually means the server restarted, failed over or an operator
// terminated its backends, which leaves the idle connections just as dead
// while they still look open; so a broken return also closes the idle ones,
// and a caller that retries after a connection loss gets a fresh connection.
//
// Connections are never shared: a Lease is one thread's until it ends.
// Thread-safe. REQUIRES: the pool outlives every Lease it handed out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gantry/common/status.h"
#include "gantry/pg/pqxx_fwd.h"

namespace gantry::pg {

struct PoolOptions {
  // libpq key=value string or postgresql:// URI. A secret: never logged or
  // put in a message unmasked.
  std::string conninfo;
  // The most connections open at once. Each is a server backend (a process
  // and a few MB on the server), and every worker process has its own pool,
  // so the total is size x workers: keep it within the server's
  // max_connections. Fewer than the handler threads makes threads queue.
  uint32_t size = 4;
  // How often a waiting acquire() checks its cancellation predicate. The
  // predicate cannot wake the wait itself; shorter notices a cancel sooner
  // and wakes idle waiters more often.
  std::chrono::milliseconds cancel_check_interval{20};
};

// A snapshot of the pool, for metrics and tests.
struct PoolStats {
  uint32_t size = 0;          // the configured maximum
  uint32_t open = 0;          // connections that exist (idle, leased or opening)
  uint32_t in_use = 0;        // leased or being opened for a lease
  uint32_t waiting = 0;       // acquire() calls waiting for a connection
  uint64_t opened_total = 0;  // connections opened successfully since start
  uint64_t broken_total = 0;  // connections discarded as broken since start
};

class ConnectionPool {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  using CancelledPredicate = std::function<bool()>;

  // One thread's use of one connection; returns it to the pool when it ends
  // (destructor or move-assignment). Move-only. An empty Lease (moved from)
  // has no connection.
  class Lease {
   public:
    Lease() = default;
    ~Lease();
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // REQUIRES: the lease is not empty.
    pqxx::connection& connection() { return *connection_; }
    // The connection must not be reused (e.g. a commit's outcome is
    // unknown): it is closed on return rather than pooled.
    void markBroken() { broken_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
    void release();

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
  };

  // Connects to nothing yet. REQUIRES: options.size >= 1.
  explicit ConnectionPool(PoolOptions options);
  // REQUIRES: no Lease is outstanding.
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, else a new one when fewer than `size` exist, else
  // waits for one to come back. Errors:
  //   kUnavailable  the connection could not be opened (the message names
  //                 the target, never the password); or `deadline` passed
  //                 or `cancelled` returned true while waiting
  //   kInvalidArgument  the connection string is malformed
  // `cancelled` may be empty; it is called from this thread only, while
  // waiting, at least every options.cancel_check_interval.
  Result<Lease> acquire(Deadline deadline = Deadline::max(),
                        const CancelledPredicate& cancelled = {});

  PoolStats stats() const;

 private:
  // Takes a connection back from a Lease; closes it when `broken` or no
  // longer open.
  void giveBack(std::unique_ptr<pqxx::connection> connection, bool broken);
  // Opens a connection for a slot already counted in open_ and in_use_.
  Result<Lease> openForSlot();

  const PoolOptions options_;
  const std::string target_;  // describeTarget(conninfo), for logs

  mutable std::mutex mutex_;
  std::condition_variable returned_;                     // a connection or a slot became free
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // GUARDED_BY(mutex_)
  uint32_t open_ = 0;                                    // GUARDED_BY(mutex_)
  uint32_t in_use_ = 0;                                  // GUARDED_BY(mutex_)
  uint32_t waiting_ = 0;                                 // GUARDED_BY(mutex_)
  uint64_t opened_total_ = 0;                            // GUARDED_BY(mutex_)
  uint64_t broken_total_ = 0;                            // GUARDED_BY(mutex_)
};

}  // namespace gantry::pg
