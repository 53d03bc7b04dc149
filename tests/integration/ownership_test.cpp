// One broker per database: a second broker waits as a standby without
// binding its sockets, takes over when the owner dies, and a broker that
// lost the database to another one stops instead of writing beside it.
#include <signal.h>

#include <filesystem>
#include <set>

#include "cluster.h"

namespace gantry::test {
namespace {

constexpr const char* kStandbyLine = "waiting as a standby";

std::vector<wire::JobSpec> noopJobs(int count) {
  return std::vector<wire::JobSpec>(static_cast<size_t>(count), jobSpec("noop"));
}

bool logContains(const ChildProcess& process, const std::string& text) {
  return process.log().find(text) != std::string::npos;
}

std::unique_ptr<BrokerClient> clientOf(const std::string& endpoint) {
  BrokerClientOptions options;
  options.endpoint = endpoint;
  options.request_timeout = 5s;
  auto connected = BrokerClient::connect(options);
  if (!connected.isOk()) {
    throw std::runtime_error(connected.status().toString());
  }
  return std::make_unique<BrokerClient>(std::move(connected.value()));
}

TEST(Ownership, AStandbyWaitsUnboundAndTakesOverWhenTheOwnerIsKilled) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const std::vector<uint64_t> before = cluster.submitAll(noopJobs(300));

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
  const std::vector<uint64_t> acknowledged = cluster.submitAll(noopJobs(50));
  auto standby = cluster.launchBroker("standby.log", "ipc://" + cluster.path("standby-workers"),
                                      "ipc://" + cluster.path("standby-clients"));
  ASSERT_TRUE(Cluster::waitFor([&] { return logContains(*standby, kStandbyLine); }, 30s))
      << standby->log();

  // The owner's session ends on the server, as when the network between
  // them fails; the standby takes over before the owner writes again.
  cluster.sql(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
      "AND granted AND classid::bigint = x'67616e74'::bigint "
      "AND objid::bigint = x'72796272'::bigint");
  auto standby_client = clientOf("ipc://" + cluster.path("standby-clients"));
  ASSERT_TRUE(Cluster::waitFor([&] { return standby_client->stats().isOk(); }, 30s))
      << standby->log();

  auto refused = cluster.client().submit(noopJobs(1));
  ASSERT_FALSE(refused.isOk()) << "the old owner acknowledged a job after losing the database";
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().toString();
  EXPECT_NE(refused.status().message().find("another broker took over"), std::string::npos)
      << refused.status().message();
  const std::optional<int> exit_code = cluster.broker().waitExit(30s);
  ASSERT_TRUE(exit_code.has_value()) << cluster.broker().log();
  EXPECT_EQ(*exit_code, 1);
  EXPECT_EQ(cluster.activeCount(), 50) << "the old owner wrote after losing the database";

  auto stats = standby_client->stats();
  ASSERT_TRUE(stats.isOk()) << stats.status().toString();
  ASSERT_EQ(stats->queues_size(), 1);
  EXPECT_EQ(stats->queues(0).queued(), 50u);
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

}  // namespace
}  // namespace gantry::test
