#include "gantry/pg/connection_pool.h"

#include <cassert>
#include <pqxx/connection>
#include <utility>

#include "gantry/common/log.h"
#include "gantry/pg/migrator.h"
#include "gantry/pg/pg_error.h"

namespace gantry::pg {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::~Lease() { release(); }

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      broken_(std::exchange(other.broken_, false)) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
    broken_ = std::exchange(other.broken_, false);
  }
  return *this;
}

void ConnectionPool::Lease::release() {
  if (pool_ != nullptr) {
    pool_->giveBack(std::move(connection_), broken_);
  }
  pool_ = nullptr;
  broken_ = false;
}

ConnectionPool::ConnectionPool(PoolOptions options)
    : options_(std::move(options)), target_(describeTarget(options_.conninfo)) {
  assert(options_.size >= 1);
}

ConnectionPool::~ConnectionPool() {
  const std::lock_guard lock(mutex_);
  assert(in_use_ == 0 && "a Lease outlived its ConnectionPool");
}

Result<ConnectionPool::Lease> ConnectionPool::acquire(Deadline deadline,
                                                      const CancelledPredicate& cancelled) {
  std::unique_lock lock(mutex_);
  bool counted_waiting = false;
  const auto stopWaiting = [&] {
    if (counted_waiting) {
      --waiting_;
      counted_waiting = false;
    }
  };
  for (;;) {
    // Idle connections first, newest first: the most recently used one is
    // the least likely to have been dropped by a firewall's idle timeout.
    while (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->is_open()) {
        ++in_use_;
        stopWaiting();
        return Lease(this, std::move(connection));
      }
      --open_;
      ++broken_total_;
    }
    if (open_ < options_.size) {
      // Take the slot now so other threads see it gone, then connect
      // without the lock: opening takes a network round trip or several.
      ++open_;
      ++in_use_;
      stopWaiting();
      lock.unlock();
      return openForSlot();
    }
    if (cancelled && cancelled()) {
      stopWaiting();
      return unavailable("cancelled while waiting for a database connection (all " +
                         std::to_string(options_.size) + " in use)");
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      stopWaiting();
      return unavailable("timed out waiting for a database connection (all " +
                         std::to_string(options_.size) + " in use)");
    }
    if (!counted_waiting) {
      ++waiting_;
      counted_waiting = true;
    }
    // Without a predicate only a returned connection or the deadline can
    // end the wait; with one, wake every interval to ask it.
    auto until = deadline;
    if (cancelled && deadline - now > options_.cancel_check_interval) {
      until = now + options_.cancel_check_interval;
    }
    if (until == Deadline::max()) {
      returned_.wait(lock);
    } else {
      returned_.wait_until(lock, until);
    }
  }
}

Result<ConnectionPool::Lease> ConnectionPool::openForSlot() {
  Result<std::unique_ptr<pqxx::connection>> opened = openConnection(options_.conninfo);
  const std::lock_guard lock(mutex_);
  if (!opened.isOk()) {
    --open_;
    --in_use_;
    // The slot is free again: a waiter may try (and report) for itself.
    returned_.notify_one();
    return opened.status();
  }
  ++opened_total_;
  return Lease(this, std::move(opened).value());
}

void ConnectionPool::giveBack(std::unique_ptr<pqxx::connection> connection, bool broken) {
  std::vector<std::unique_ptr<pqxx::connection>> to_close;
  {
    const std::lock_guard lock(mutex_);
    --in_use_;
    if (!broken && connection != nullptr && connection->is_open()) {
      idle_.push_back(std::move(connection));
      returned_.notify_one();
      return;
    }
    // See the header: the idle ones are most likely dead too.
    ++broken_total_;
    to_close = std::move(idle_);
    idle_.clear();
    to_close.push_back(std::move(connection));
    open_ -= static_cast<uint32_t>(to_close.size());
    // Every freed slot can serve a waiter.
    returned_.notify_all();
  }
  log::warn("closed a broken database connection and the idle ones; they are reopened on demand",
            {{"database", target_}, {"closed", to_close.size()}});
  // Closing talks to the socket; done without the lock.
  to_close.clear();
}

PoolStats ConnectionPool::stats() const {
  const std::lock_guard lock(mutex_);
  return {options_.size, open_, in_use_, waiting_, opened_total_, broken_total_};
}

}  // namespace gantry::pg
