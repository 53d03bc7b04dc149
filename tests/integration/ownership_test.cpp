// One broker per database: a second broker waits as a standby without
// binding its sockets, takes over when the owner dies, and a broker that
// lost the database to another one stops instead of writing beside it.
#include <signal.h>

#include <filesystem>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "cluster.h"
#include "gantry/pg/migrator.h"

namespace gantry::test {
namespace {

constexpr const char* kStandbyLine = "waiting as a standby";
// The broker's ownership lock ("gantrybr") and the session holding it.
constexpr const char* kOwnerLockKey = "x'67616e7472796272'::bigint";
constexpr const char* kLockHolderSql =
    "SELECT coalesce(max(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid::bigint = x'67616e74'::bigint AND objid::bigint = x'72796272'::bigint";

std::vector<wire::JobSpec> noopJobs(int count) {
  return std::vector<wire::JobSpec>(static_cast<size_t>(count), jobSpec("noop"));
}

bool logContains(const ChildProcess& process, const std::string& text) {
  return process.log().find(text) != std::string::npos;
}

TEST(Ownership, AStandbyWaitsUnboundAndTakesOverWhenTheOwnerIsKilled) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const std::vector<uint64_t> before = cluster.submitAll(noopJobs(300));
  auto first = cluster.client().stats();
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(first->owner_epoch(), 1u);

  // The standby is configured with the same endpoints, as a replacement
  // would be: binding them now would take the owner's clients away.
  auto standby =
      cluster.launchBroker("standby.log", cluster.workerEndpoint(), cluster.clientEndpoint());
  ASSERT_TRUE(Cluster::waitFor([&] { return logContains(*standby, kStandbyLine); }, 30s))
      << standby->log();
  const std::vector<uint64_t> while_waiting = cluster.submitAll(noopJobs(100));
  ASSERT_EQ(while_waiting.size(), 100u) << "the owner stopped serving while the standby waited";
  EXPECT_TRUE(standby->running());

  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster.broker().waitExit(10s).has_value());
  cluster.resetClient();
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.client().stats().isOk(); }, 30s))
      << standby->log();
  // Stats name the broker that answers: the standby, at the next epoch.
  auto stats = cluster.client().stats();
  ASSERT_TRUE(stats.isOk()) << stats.status().toString();
  EXPECT_EQ(stats->owner_epoch(), 2u);
  EXPECT_NE(stats->broker().find(":" + std::to_string(standby->pid()) + " "), std::string::npos)
      << stats->broker();
  const std::vector<uint64_t> after = cluster.submitAll(noopJobs(100));

  std::vector<uint64_t> ids = before;
  ids.insert(ids.end(), while_waiting.begin(), while_waiting.end());
  ids.insert(ids.end(), after.begin(), after.end());
  ASSERT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), 500u) << "an id was issued twice";
  cluster.startWorker(8);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 500; }, 60s))
      << "finished " << cluster.finishedCount() << "\n"
      << standby->log();
  EXPECT_EQ(cluster.activeCount(), 0);
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_history "
                             "WHERE state = 'succeeded' AND attempt = 1"),
            500);
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"), 500);
}

TEST(Ownership, ABrokerThatLostTheDatabaseToAnotherStopsWithoutWriting) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  ASSERT_EQ(cluster.submitAll(noopJobs(50)).size(), 50u);

  // The owner's next commit blocks on a table lock, so a submit is waiting
  // for durability when the owner loses the database.
  auto blocker = pg::openConnection(cluster.databaseUrl());
  ASSERT_TRUE(blocker.isOk()) << blocker.status().toString();
  auto block = std::make_unique<pqxx::work>(*blocker.value());
  block->exec("LOCK TABLE gantry_jobs IN ACCESS EXCLUSIVE MODE");
  std::optional<Result<wire::SubmitReply>> waiting;
  std::thread submitter([&] { waiting = cluster.client().submit(noopJobs(1)); });
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        return cluster.sqlCount(
                   "SELECT count(*) FROM pg_stat_activity WHERE "
                   "datname = current_database() AND wait_event_type = 'Lock'") > 0;
      },
      30s));

  // Another broker queues for the ownership lock; it gets the lock the
  // moment the owner's session ends, before the owner can reconnect.
  auto other = pg::openConnection(cluster.databaseUrl());
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  std::thread other_broker([&] {
    pqxx::nontransaction tx(*other.value());
    tx.exec(std::string("SELECT pg_advisory_lock(") + kOwnerLockKey + ")");
    tx.exec("UPDATE gantry_broker_owner SET epoch = epoch + 1, holder = 'the other broker'");
  });
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        return cluster.sqlCount(
                   "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                   "AND NOT granted") > 0;
      },
      30s));
  // As when the network between the owner and the database fails.
  cluster.sql("SELECT pg_terminate_backend(" + cluster.sql(kLockHolderSql) + ")");
  other_broker.join();
  submitter.join();
  block->abort();

  ASSERT_TRUE(waiting.has_value());
  ASSERT_FALSE(waiting->isOk()) << "the old owner acknowledged a job after losing the database";
  EXPECT_EQ(waiting->status().code(), StatusCode::kUnavailable) << waiting->status().toString();
  EXPECT_NE(waiting->status().message().find("another broker took over"), std::string::npos)
      << waiting->status().message();
  const std::optional<int> exit_code = cluster.broker().waitExit(30s);
  ASSERT_TRUE(exit_code.has_value()) << cluster.broker().log();
  EXPECT_EQ(*exit_code, 1);
  EXPECT_NE(cluster.broker().log().find("the other broker"), std::string::npos)
      << cluster.broker().log();
  EXPECT_EQ(cluster.activeCount(), 50) << "the old owner wrote after losing the database";
}

TEST(Ownership, AWaitingStandbyStopsCleanlyOnSigterm) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  auto standby = cluster.launchBroker("standby.log", "ipc://" + cluster.path("standby-workers"),
                                      "ipc://" + cluster.path("standby-clients"));
  ASSERT_TRUE(Cluster::waitFor([&] { return logContains(*standby, kStandbyLine); }, 30s))
      << standby->log();
  standby->signal(SIGTERM);
  EXPECT_EQ(standby->waitExit(10s), std::optional<int>(0)) << standby->log();
  EXPECT_FALSE(std::filesystem::exists(cluster.path("standby-clients")));
  EXPECT_TRUE(cluster.client().stats().isOk());
}

TEST(Ownership, AnIdleOwnerWhoseSessionEndsTakesTheLockBackAtOnce) {
  // At once, not at its next write: a standby would otherwise take over.
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const long ended = cluster.sqlCount(kLockHolderSql);
  ASSERT_GT(ended, 0);
  cluster.sql("SELECT pg_terminate_backend(" + std::to_string(ended) + ")");
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        const long holder = cluster.sqlCount(kLockHolderSql);
        return holder != 0 && holder != ended;
      },
      10s))
      << cluster.broker().log();
  EXPECT_EQ(cluster.submitAll(noopJobs(10)).size(), 10u);
  EXPECT_TRUE(cluster.broker().running());
}

TEST(Ownership, AWaitingStandbyOutlivesTheLossOfItsDatabaseSession) {
  Cluster cluster;
  cluster.migrate();
  // This test's session plays the owner.
  auto owner = pg::openConnection(cluster.databaseUrl());
  ASSERT_TRUE(owner.isOk()) << owner.status().toString();
  pqxx::nontransaction(*owner.value())
      .exec(std::string("SELECT pg_advisory_lock(") + kOwnerLockKey + ")");
  const int owner_pid = owner.value()->backendpid();
  auto standby =
      cluster.launchBroker("standby.log", cluster.workerEndpoint(), cluster.clientEndpoint());
  ASSERT_TRUE(Cluster::waitFor([&] { return logContains(*standby, kStandbyLine); }, 30s))
      << standby->log();

  const std::string others =
      "FROM pg_stat_activity WHERE datname = current_database() AND pid <> " +
      std::to_string(owner_pid) + " AND pid <> pg_backend_pid()";
  const long ended = cluster.sqlCount("SELECT coalesce(max(pid), 0) " + others);
  ASSERT_GT(ended, 0) << "the standby has no session";
  cluster.sql("SELECT pg_terminate_backend(pid) " + others);
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        const long session = cluster.sqlCount("SELECT coalesce(max(pid), 0) " + others);
        return session != 0 && session != ended;
      },
      10s))
      << "the standby did not reconnect:\n"
      << standby->log();
  EXPECT_TRUE(standby->running());
  EXPECT_FALSE(std::filesystem::exists(cluster.path("clients")));

  owner.value().reset();  // the owner goes away
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.client().stats().isOk(); }, 30s))
      << standby->log();
  EXPECT_EQ(cluster.submitAll(noopJobs(10)).size(), 10u);
}

}  // namespace
}  // namespace gantry::test
