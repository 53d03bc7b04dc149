// gantry::pg::ConnectionPool against a real throwaway Postgres: the size
// bound under concurrent use, waiting (a returned connection, the deadline,
// cancellation), and replacing broken connections.
#include "gantry/pg/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <set>
#include <thread>
#include <vector>

#include "support/test_postgres.h"

namespace gantry::pg {
namespace {

using std::chrono::steady_clock;

// The longest any test waits for another thread to reach a state; only a
// broken build gets near it.
constexpr auto kPatience = std::chrono::seconds(30);

int backendPid(ConnectionPool::Lease& lease) {
  pqxx::work tx(lease.connection());
  const int pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  tx.commit();
  return pid;
}

class ConnectionPoolTest : public ::testing::Test {
 protected:
  ConnectionPoolTest() : conninfo_(test::TestPostgres::shared().createDatabase()) {}
  ~ConnectionPoolTest() override { test::TestPostgres::shared().dropDatabase(conninfo_); }

  PoolOptions options(uint32_t size) const {
    PoolOptions o;
    o.conninfo = conninfo_;
    o.size = size;
    return o;
  }

  // Waits (without sleeping) until `pool` has `count` waiters.
  static void awaitWaiters(const ConnectionPool& pool, uint32_t count) {
    const auto give_up = steady_clock::now() + kPatience;
    while (pool.stats().waiting != count && steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    ASSERT_EQ(pool.stats().waiting, count);
  }

  std::string conninfo_;
};

TEST_F(ConnectionPoolTest, OpensNothingUntilFirstAcquire) {
  ConnectionPool pool(options(3));
  EXPECT_EQ(pool.stats().open, 0u);
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.isOk()) << lease.status().toString();
    const PoolStats stats = pool.stats();
    EXPECT_EQ(stats.open, 1u);
    EXPECT_EQ(stats.in_use, 1u);
    EXPECT_EQ(stats.size, 3u);
  }
  EXPECT_EQ(pool.stats().in_use, 0u);
  EXPECT_EQ(pool.stats().open, 1u);
}

TEST_F(ConnectionPoolTest, SizeBoundHoldsUnderConcurrentAcquire) {
  constexpr uint32_t kSize = 3;
  constexpr int kThreads = 12;
  constexpr int kRounds = 15;
  ConnectionPool pool(options(kSize));
  std::atomic<int> holding{0};
  std::atomic<int> most_holding{0};
  std::mutex pids_mutex;
  std::set<int> pids;
  std::atomic<int> failures{0};

  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        auto lease = pool.acquire(steady_clock::now() + kPatience);
        if (!lease.isOk()) {
          ++failures;
          continue;
        }
        const int now_holding = ++holding;
        int seen = most_holding.load();
        while (now_holding > seen && !most_holding.compare_exchange_weak(seen, now_holding)) {
        }
        const int pid = backendPid(lease.value());
        {
          const std::lock_guard lock(pids_mutex);
          pids.insert(pid);
        }
        --holding;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_holding.load(), static_cast<int>(kSize));
  EXPECT_LE(pids.size(), kSize);
  const PoolStats stats = pool.stats();
  EXPECT_LE(stats.opened_total, kSize);
  EXPECT_LE(stats.open, kSize);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(stats.broken_total, 0u);
}

TEST_F(ConnectionPoolTest, AWaiterGetsTheReturnedConnection) {
  ConnectionPool pool(options(1));
  auto held = pool.acquire();
  ASSERT_TRUE(held.isOk());
  const int pid = backendPid(held.value());

  auto waiter = std::async(std::launch::async, [&] {
    auto lease = pool.acquire(steady_clock::now() + kPatience);
    return lease.isOk() ? backendPid(lease.value()) : -1;
  });
  awaitWaiters(pool, 1);
  held = ConnectionPool::Lease();  // returns the connection
  EXPECT_EQ(waiter.get(), pid);
  EXPECT_EQ(pool.stats().opened_total, 1u);
}

TEST_F(ConnectionPoolTest, WaitingEndsAtTheDeadline) {
  ConnectionPool pool(options(1));
  auto held = pool.acquire();
  ASSERT_TRUE(held.isOk());
  auto late = pool.acquire(steady_clock::now() + std::chrono::milliseconds(30));
  ASSERT_FALSE(late.isOk());
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(late.status().message().find("timed out waiting for a database connection"),
            std::string::npos)
      << late.status().message();
  EXPECT_EQ(pool.stats().waiting, 0u);
}

TEST_F(ConnectionPoolTest, WaitingEndsWhenCancelled) {
  ConnectionPool pool(options(1));
  auto held = pool.acquire();
  ASSERT_TRUE(held.isOk());
  std::atomic<bool> cancelled{false};
  auto waiter = std::async(std::launch::async, [&] {
    return pool.acquire(ConnectionPool::Deadline::max(), [&] { return cancelled.load(); }).status();
  });
  awaitWaiters(pool, 1);
  cancelled = true;
  const Status status = waiter.get();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("cancelled while waiting"), std::string::npos)
      << status.message();
  EXPECT_EQ(pool.stats().waiting, 0u);
}

TEST_F(ConnectionPoolTest, ConnectionKilledServerSideIsReplacedOnNextAcquire) {
  ConnectionPool pool(options(2));
  int first_pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.isOk());
    first_pid = backendPid(lease.value());
    test::TestPostgres::shared().terminateConnections(conninfo_);
    // libpq learns of the loss on the next use, which fails.
    EXPECT_ANY_THROW(backendPid(lease.value()));
  }
  EXPECT_EQ(pool.stats().broken_total, 1u);
  EXPECT_EQ(pool.stats().open, 0u);

  auto next = pool.acquire();
  ASSERT_TRUE(next.isOk()) << next.status().toString();
  EXPECT_NE(backendPid(next.value()), first_pid);
  EXPECT_EQ(pool.stats().opened_total, 2u);
}

TEST_F(ConnectionPoolTest, ABrokenReturnAlsoClosesTheIdleConnections) {
  ConnectionPool pool(options(2));
  auto a = pool.acquire();
  auto b = pool.acquire();
  ASSERT_TRUE(a.isOk() && b.isOk());
  b = ConnectionPool::Lease();  // idle now
  ASSERT_EQ(pool.stats().open, 2u);

  test::TestPostgres::shared().terminateConnections(conninfo_);
  a->markBroken();
  a = ConnectionPool::Lease();
  EXPECT_EQ(pool.stats().open, 0u);
  EXPECT_EQ(pool.stats().broken_total, 1u);

  // So the next user gets a live connection, not the dead idle one.
  auto next = pool.acquire();
  ASSERT_TRUE(next.isOk());
  EXPECT_NO_THROW(backendPid(next.value()));
}

TEST_F(ConnectionPoolTest, AFailedOpenFreesItsSlotAndHidesThePassword) {
  PoolOptions o = options(1);
  o.conninfo = "host=" + test::TestPostgres::shared().socketDir() +
               " port=5432 dbname=no_such_db user=postgres password=hunter2";
  ConnectionPool pool(o);
  auto lease = pool.acquire();
  ASSERT_FALSE(lease.isOk());
  EXPECT_EQ(lease.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(lease.status().message().find("no_such_db"), std::string::npos)
      << lease.status().message();
  EXPECT_EQ(lease.status().message().find("hunter2"), std::string::npos);
  EXPECT_EQ(pool.stats().open, 0u);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

}  // namespace
}  // namespace gantry::pg
