// A worker that loses its session (the broker restarts, or the worker is
// frozen past the liveness window) comes back with one re-announce: no job
// it still runs is failed, no attempt goes unrecorded, and no job is handed
// back and forth between broker and worker.
#include <signal.h>

#include <thread>

#include "cluster.h"

namespace gantry::test {
namespace {

constexpr int kJobs = 300;

std::vector<uint64_t> submitShortJobs(Cluster& cluster) {
  return cluster.submitAll(std::vector<wire::JobSpec>(kJobs, jobSpec("sleep", "20")));
}

// What a lost session must not cost.
void expectOneCleanReannounce(Cluster& cluster) {
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            kJobs);
  // Every job that succeeded has its succeeded attempt recorded, once.
  EXPECT_EQ(cluster.sqlCount("SELECT count(DISTINCT job_id) FROM gantry_job_attempts"
                             " WHERE outcome = 'succeeded'"),
            kJobs);
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"
                             " WHERE outcome = 'succeeded'"),
            kJobs);
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"
                             " WHERE error LIKE '%re-announced%'"),
            0);
  // A job handed back was at most once in flight to a worker with no room.
  EXPECT_LE(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"
                             " WHERE outcome = 'handed_back'"),
            4);
  EXPECT_LE(cluster.sqlCount("SELECT max(attempt) FROM gantry_job_history"), 2);
}

TEST(Reconnect, ABrokerOutageCostsOneReannounce) {
  Cluster cluster;
  cluster.useDefaultHeartbeats();
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(4);
  ASSERT_EQ(submitShortJobs(cluster).size(), static_cast<size_t>(kJobs));
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() >= 20; }, 60s));
  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster.broker().waitExit(10s).has_value());
  // The outage itself: the worker keeps running and queues what it sends.
  std::this_thread::sleep_for(2s);
  cluster.startBroker();
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == kJobs; }, 120s))
      << "finished " << cluster.finishedCount() << "\n"
      << cluster.broker().log();
  expectOneCleanReannounce(cluster);
}

TEST(Reconnect, AWorkerFrozenPastItsLivenessComesBackWithOneReannounce) {
  Cluster cluster;
  cluster.useDefaultHeartbeats();
  cluster.migrate();
  cluster.startBroker();
  cluster.setWorkerLogLevel("info");  // its re-announces show if it fails
  ChildProcess& worker = cluster.startWorker(4);
  ASSERT_EQ(submitShortJobs(cluster).size(), static_cast<size_t>(kJobs));
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() >= 20; }, 60s));
  worker.signal(SIGSTOP);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.workerCount() == 0; }, 30s));
  std::this_thread::sleep_for(1500ms);  // frozen for 4-5 s in all
  worker.signal(SIGCONT);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == kJobs; }, 120s))
      << "finished " << cluster.finishedCount() << "; worker "
      << (worker.running() ? "running" : "exited " + std::to_string(*worker.waitExit(0ms)))
      << "\nbroker:\n"
      << cluster.broker().log() << "worker:\n"
      << worker.log();
  expectOneCleanReannounce(cluster);
}

}  // namespace
}  // namespace gantry::test
