// Killing parts mid-run: every acknowledged job still ends exactly once in a
// final state.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "cluster.h"

namespace gantry::test {
namespace {

std::vector<wire::JobSpec> mixedJobs(int count) {
  std::vector<wire::JobSpec> specs;
  for (int i = 0; i < count; ++i) {
    auto spec = jobSpec("sleep", std::to_string(i % 7), i % 10,
                        i % 4 == 0 ? "user:" + std::to_string(i % 25) : "");
    spec.set_max_attempts(20);  // kills cost attempts; none may end dead
    specs.push_back(spec);
  }
  return specs;
}

void expectEveryJobSucceededOnce(Cluster& cluster, const std::vector<uint64_t>& ids) {
  EXPECT_EQ(cluster.activeCount(), 0);
  EXPECT_EQ(cluster.finishedCount(), static_cast<long>(ids.size()));
  EXPECT_EQ(cluster.sqlCount("SELECT count(DISTINCT id) FROM gantry_job_history "
                             "WHERE state = 'succeeded'"),
            static_cast<long>(ids.size()));
  // At most one successful attempt per job is recorded.
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM (SELECT job_id FROM gantry_job_attempts "
                             "WHERE outcome = 'succeeded' GROUP BY job_id HAVING count(*) > 1) d"),
            0);
}

TEST(Chaos, SigkillAWorkerMidRun) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(8);
  cluster.startWorker(8);
  // Long jobs first, so the worker is certainly holding work when killed.
  std::vector<wire::JobSpec> specs;
  for (int i = 0; i < 16; ++i) {
    auto spec = jobSpec("sleep", "1500", 9);
    spec.set_max_attempts(20);
    specs.push_back(spec);
  }
  const auto more = mixedJobs(1500);
  specs.insert(specs.end(), more.begin(), more.end());
  const auto ids = cluster.submitAll(specs);
  ASSERT_EQ(ids.size(), specs.size());
  auto busyOnFirstWorker = [&] {
    auto workers = cluster.client().workers();
    if (!workers.isOk()) {
      return false;
    }
    for (const auto& w : workers->workers()) {
      if (w.worker_id() == "w1" && w.busy() > 0) {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(Cluster::waitFor(busyOnFirstWorker, 60s));
  cluster.worker(0).signal(SIGKILL);
  ASSERT_TRUE(cluster.worker(0).waitExit(10s).has_value());
  const long total = static_cast<long>(ids.size());
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == total; }, 120s))
      << "finished " << cluster.finishedCount();
  expectEveryJobSucceededOnce(cluster, ids);
  // The killed worker's leases were noticed and re-run.
  EXPECT_GT(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts "
                             "WHERE error LIKE 'worker lost%'"),
            0);
}

// Runs four 60-second jobs on worker w1, starts an idle w2, loses w1 by
// `signal`, and waits until all four run again on w2. Returns the error
// recorded for the lost attempts.
std::string loseAWorkerHoldingJobs(Cluster& cluster, int signal) {
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(4);
  std::vector<wire::JobSpec> specs(4, jobSpec("sleep", "60000"));
  const auto ids = cluster.submitAll(specs);
  if (ids.size() != specs.size()) {
    ADD_FAILURE() << "submitted " << ids.size() << " of " << specs.size() << " jobs";
    return "";
  }
  const std::string running_on = "SELECT count(*) FROM gantry_jobs WHERE state = 'running' AND ";
  EXPECT_TRUE(Cluster::waitFor(
      [&] { return cluster.sqlCount(running_on + "worker_id = 'w1'") == 4; }, 30s));
  cluster.startWorker(4);
  cluster.worker(0).signal(signal);
  EXPECT_TRUE(Cluster::waitFor(
      [&] { return cluster.sqlCount(running_on + "worker_id = 'w2' AND attempt = 2") == 4; }, 30s))
      << cluster.broker().log();
  EXPECT_EQ(cluster.sqlCount("SELECT count(DISTINCT error) FROM gantry_job_attempts"), 1);
  auto job = cluster.client().get(ids[0], true);
  return job.isOk() && job->attempts_size() > 0 ? job->attempts(0).error() : "";
}

// With heartbeats every ten minutes, only the closed connection, acted on
// when it happens, can tell the broker within the test's patience.
TEST(Chaos, AKilledWorkersJobsMoveOnAsSoonAsItsConnectionCloses) {
  Cluster cluster;
  cluster.useSlowHeartbeats();
  const std::string error = loseAWorkerHoldingJobs(cluster, SIGKILL);
  EXPECT_EQ(error, "worker lost: its connection closed");
}

// A stopped process keeps its connection open: the heartbeat window is
// what notices it.
TEST(Chaos, AFrozenWorkersJobsMoveOnWhenItsHeartbeatsStop) {
  Cluster cluster;
  const std::string error = loseAWorkerHoldingJobs(cluster, SIGSTOP);
  EXPECT_EQ(error.rfind("worker lost: no heartbeat", 0), 0u) << error;
}

TEST(Chaos, SigkillTheBrokerMidRunAndRestartIt) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(8);
  cluster.startWorker(8);
  auto first = cluster.submitAll(mixedJobs(1000));
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() >= 100; }, 60s));
  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster.broker().waitExit(10s).has_value());
  // Acknowledged before the kill: all 1000 must survive.
  cluster.startBroker();
  auto second = cluster.submitAll(mixedJobs(500));
  std::vector<uint64_t> ids = first;
  ids.insert(ids.end(), second.begin(), second.end());
  ASSERT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), 1500u);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 1500; }, 120s))
      << "finished " << cluster.finishedCount() << ", active " << cluster.activeCount();
  expectEveryJobSucceededOnce(cluster, ids);
}

// Dead jobs are revived in many requests and the broker is killed while
// the revives run. Asking again after the restart revives exactly the
// rest: every job is then queued exactly once, and runs once more.
TEST(Chaos, SigkillTheBrokerWhileRevivingDeadJobs) {
  constexpr int kJobs = 300;
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(8);
  const auto ids = cluster.submitAll(std::vector<wire::JobSpec>(kJobs, jobSpec("fatal")));
  const std::string dead = "SELECT count(*) FROM gantry_job_history WHERE state = 'dead'";
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.sqlCount(dead) == kJobs; }, 60s));
  cluster.worker(0).signal(SIGKILL);  // revived jobs must stay queued for the count
  ASSERT_TRUE(cluster.worker(0).waitExit(10s).has_value());

  for (int first = 0; first < kJobs; first += 10) {
    wire::Envelope request;
    for (int i = first; i < first + 10; ++i) {
      request.mutable_retry()->add_ids(ids[i]);
    }
    ASSERT_TRUE(cluster.client().send(std::move(request)).isOk());
  }
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.activeCount() > 0; }, 30s));
  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster.broker().waitExit(10s).has_value());
  const long revived_before_kill = cluster.activeCount();

  cluster.startBroker();
  auto outcomes = cluster.client().retry(ids);
  ASSERT_TRUE(outcomes.isOk()) << outcomes.status().toString();
  long revived_now = 0;
  for (const auto& outcome : outcomes->outcomes()) {
    revived_now += outcome.ok() ? 1 : 0;
    if (!outcome.ok()) {
      EXPECT_NE(outcome.message().find("is queued, not dead"), std::string::npos)
          << outcome.message();
    }
  }
  EXPECT_EQ(revived_before_kill + revived_now, kJobs);
  EXPECT_EQ(cluster.activeCount(), kJobs);
  EXPECT_EQ(cluster.finishedCount(), 0);

  cluster.startWorker(8);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.sqlCount(dead) == kJobs; }, 60s));
  EXPECT_EQ(cluster.activeCount(), 0);
  // Each job ran exactly twice: once before the revive, once after.
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM (SELECT job_id FROM gantry_job_attempts"
                             " GROUP BY job_id HAVING count(*) = 2) twice"),
            kJobs);
}

TEST(Chaos, DatabaseConnectionsKilledMidRun) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(8);
  const auto ids = cluster.submitAll(mixedJobs(1000));
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() >= 100; }, 60s));
  TestPostgres::shared().terminateConnections(cluster.databaseUrl());
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 1000; }, 120s))
      << "finished " << cluster.finishedCount() << "\n"
      << cluster.broker().log();
  expectEveryJobSucceededOnce(cluster, ids);
}

// One client keeps 16 submit requests in flight, as a bulk producer does,
// while the broker's database connections are cut under it: mostly single
// jobs (written as one prepared INSERT), some of 3, and now and then 100
// (streamed by COPY). The committer is nearly always mid-commit when a cut
// lands, so some commits end with an unknown outcome and are written
// again. Every acknowledged job must be stored once and run once.
class StreamingSubmitter {
 public:
  explicit StreamingSubmitter(const std::string& endpoint)
      : thread_([this, endpoint] { run(endpoint); }) {}
  ~StreamingSubmitter() { abandon(); }

  size_t acknowledged() const { return acknowledged_count_; }
  // Stops sending, waits for the replies still due, and returns every
  // acknowledged id.
  std::vector<uint64_t> finish() {
    stop_ = true;
    return join();
  }
  // Stops at once, without waiting for replies (the broker is gone).
  std::vector<uint64_t> abandon() {
    abandon_ = true;
    return join();
  }

 private:
  std::vector<uint64_t> join() {
    if (thread_.joinable()) {
      thread_.join();
    }
    return ids_;
  }

  void run(const std::string& endpoint) {
    BrokerClientOptions options;
    options.endpoint = endpoint;
    auto client = BrokerClient::connect(options);
    ASSERT_TRUE(client.isOk()) << client.status().toString();
    size_t outstanding = 0;
    auto last_reply = std::chrono::steady_clock::now();
    for (int request = 1; !abandon_ && (!stop_ || outstanding > 0);) {
      for (; !stop_ && !abandon_ && outstanding < 16; ++request) {
        const int jobs = request % 25 == 0 ? 100 : request % 5 == 0 ? 3 : 1;
        wire::Envelope envelope;
        for (int i = 0; i < jobs; ++i) {
          *envelope.mutable_submit()->add_jobs() = jobSpec("noop");
        }
        ASSERT_TRUE(client->send(envelope).isOk());
        ++outstanding;
      }
      auto reply = client->receive(100ms);
      if (!reply) {
        ASSERT_LT(std::chrono::steady_clock::now() - last_reply, 30s)
            << outstanding << " submits got no reply within 30 s";
        continue;
      }
      last_reply = std::chrono::steady_clock::now();
      ASSERT_TRUE(reply->has_submit_reply()) << reply->DebugString();
      --outstanding;
      ids_.insert(ids_.end(), reply->submit_reply().ids().begin(),
                  reply->submit_reply().ids().end());
      acknowledged_count_ = ids_.size();
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> abandon_{false};
  std::atomic<size_t> acknowledged_count_{0};
  std::vector<uint64_t> ids_;  // the submitter thread's until it is joined
  std::thread thread_;
};

// Rows of `table` (with `condition`) whose id is one of `ids`, counted a
// chunk at a time: psql takes the query as one argument, whose size is
// limited.
long countIdsIn(Cluster& cluster, const std::string& table, const std::string& condition,
                const std::vector<uint64_t>& ids) {
  long total = 0;
  for (size_t start = 0; start < ids.size(); start += 1000) {
    std::string array;
    for (size_t i = start; i < std::min(ids.size(), start + 1000); ++i) {
      array += (i == start ? "" : ",") + std::to_string(ids[i]);
    }
    total += cluster.sqlCount("SELECT count(*) FROM " + table + " WHERE " + condition +
                              " AND id = ANY('{" + array + "}'::bigint[])");
  }
  return total;
}

// Every id in `ids` (acknowledged submits) is stored once; two workers then
// run every stored job, and each acknowledged one succeeds, once.
void expectAcknowledgedJobsStoredAndRunOnce(Cluster& cluster, const std::vector<uint64_t>& ids) {
  ASSERT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(countIdsIn(cluster, "gantry_jobs", "true", ids), static_cast<long>(ids.size()));
  cluster.startWorker(16);
  cluster.startWorker(16);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.activeCount() == 0; }, 120s))
      << "active " << cluster.activeCount();
  EXPECT_EQ(countIdsIn(cluster, "gantry_job_history", "state = 'succeeded'", ids),
            static_cast<long>(ids.size()));
  // Nothing ran twice, acknowledged or not.
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) - count(DISTINCT id) FROM gantry_job_history"), 0);
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM (SELECT job_id FROM gantry_job_attempts "
                             "WHERE outcome = 'succeeded' GROUP BY job_id HAVING count(*) > 1) d"),
            0);
}

TEST(Chaos, DatabaseConnectionsCutUnderStreamingSubmits) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  StreamingSubmitter submitter(cluster.clientEndpoint());
  for (int cut = 0; cut < 4; ++cut) {
    const size_t before = submitter.acknowledged();
    ASSERT_TRUE(Cluster::waitFor([&] { return submitter.acknowledged() >= before + 500; }, 60s))
        << "acknowledged " << submitter.acknowledged() << "\n"
        << cluster.broker().log();
    TestPostgres::shared().terminateConnections(cluster.databaseUrl());
  }
  const size_t before = submitter.acknowledged();
  ASSERT_TRUE(Cluster::waitFor([&] { return submitter.acknowledged() >= before + 500; }, 60s));
  expectAcknowledgedJobsStoredAndRunOnce(cluster, submitter.finish());
}

// The broker dies mid-stream: whatever it acknowledged is on disk, and runs
// once after the restart.
TEST(Chaos, SigkillTheBrokerUnderStreamingSubmits) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  StreamingSubmitter submitter(cluster.clientEndpoint());
  ASSERT_TRUE(Cluster::waitFor([&] { return submitter.acknowledged() >= 1500; }, 60s))
      << "acknowledged " << submitter.acknowledged() << "\n"
      << cluster.broker().log();
  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster.broker().waitExit(10s).has_value());
  const std::vector<uint64_t> ids = submitter.abandon();
  cluster.startBroker();
  expectAcknowledgedJobsStoredAndRunOnce(cluster, ids);
}

TEST(Chaos, GracefulWorkerShutdownHandsBackWithoutCountingAttempts) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  ChildProcess& worker = cluster.startWorker(2, {"--shutdown-grace-ms", "100"});
  const auto ids = cluster.submitAll({jobSpec("sleep", "60000"), jobSpec("sleep", "60000")});
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        auto stats = cluster.client().stats();
        return stats.isOk() && stats->queues_size() > 0 && stats->queues(0).running() == 2;
      },
      30s));
  worker.signal(SIGTERM);
  auto code = worker.waitExit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        auto job = cluster.client().get(ids[0], false);
        return job.isOk() && job->job().state() == wire::QUEUED;
      },
      30s));
  auto job = cluster.client().get(ids[0], false);
  EXPECT_EQ(job->job().attempt(), 0u);
}

TEST(Chaos, BrokerStopsCleanlyOnSigtermAndRestartsWithEverything) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const auto ids = cluster.submitAll(mixedJobs(500));
  ASSERT_EQ(ids.size(), 500u);
  cluster.broker().signal(SIGTERM);
  auto code = cluster.broker().waitExit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << cluster.broker().log();
  EXPECT_EQ(cluster.activeCount(), 500);
  cluster.startBroker();
  cluster.startWorker(8);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 500; }, 120s));
  expectEveryJobSucceededOnce(cluster, ids);
}

// A submit still waiting for its commit when the broker stops, with its
// database unreachable, is answered with an error that says its outcome is
// unknown, instead of never.
TEST(Chaos, ASubmitWaitingWhenTheBrokerStopsWithoutItsDatabaseGetsAnError) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  ASSERT_EQ(cluster.submitAll(mixedJobs(10)).size(), 10u);
  const std::string database = cluster.sql("SELECT current_database()");
  const std::string admin = TestPostgres::shared().conninfo("postgres");
  auto allowConnections = [&](bool allow) {
    auto done = TestPostgres::shared().psql(
        admin, "ALTER DATABASE \"" + database.substr(0, database.find('\n')) +
                   "\" ALLOW_CONNECTIONS " + (allow ? "true" : "false"));
    ASSERT_TRUE(done.isOk()) << done.status().toString();
  };
  allowConnections(false);
  TestPostgres::shared().terminateConnections(cluster.databaseUrl());

  BrokerClientOptions options;
  options.endpoint = cluster.clientEndpoint();
  options.request_timeout = 30s;
  auto client = BrokerClient::connect(options);
  ASSERT_TRUE(client.isOk()) << client.status().toString();
  std::thread stopper([&] {
    // The submit is sent first; the broker parks it until its commit, which
    // cannot happen now.
    Cluster::waitFor(
        [&] { return cluster.broker().log().find("commit failed") != std::string::npos; }, 30s);
    cluster.broker().signal(SIGTERM);
  });
  auto refused = client->submit(mixedJobs(1));
  stopper.join();
  allowConnections(true);

  ASSERT_FALSE(refused.isOk()) << "acknowledged without a database";
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().toString();
  EXPECT_NE(refused.status().message().find("may or may not have been applied"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(cluster.broker().waitExit(30s), std::optional<int>(0)) << cluster.broker().log();
  EXPECT_EQ(cluster.activeCount(), 10);
}

}  // namespace
}  // namespace gantry::test
