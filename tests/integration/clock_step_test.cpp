// The wall clock of the broker and the workers jumps an hour forward in the
// middle of a run, as NTP or a resumed VM makes it do. Leases, liveness and
// timeouts run on the monotonic clock, so nothing may notice: no worker is
// declared dead, no lease expires, no attempt is burned.
//
// The jump is made with libfaketime (Debian's faketime package), preloaded
// into the broker and worker processes only: it shifts CLOCK_REALTIME by the
// offset in a file the test rewrites, and leaves CLOCK_MONOTONIC alone.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "cluster.h"

namespace gantry::test {
namespace {

constexpr const char* kFakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
constexpr int kJobs = 300;

void writeOffset(const std::string& path, const std::string& offset) {
  std::ofstream(path, std::ios::trunc) << offset << "\n";
}

// The broker's wall clock as it shows through the workers list: a worker's
// last_seen_ms is the broker's wall time now, less the (monotonic) time
// since the worker was last heard from. 0 without workers.
TimeMs brokerWallMs(Cluster& cluster) {
  auto reply = cluster.client().workers();
  TimeMs latest = 0;
  if (reply.isOk()) {
    for (const auto& worker : reply->workers()) {
      latest = std::max(latest, worker.last_seen_ms());
    }
  }
  return latest;
}

TEST(ClockStep, AnHourForwardMidRunFailsNothing) {
  if (!std::filesystem::exists(kFakeTime)) {
    GTEST_SKIP() << kFakeTime << " is missing: install Debian's faketime package";
  }
  Cluster cluster;
  const std::string offset_file = cluster.path("wall-offset");
  writeOffset(offset_file, "+0");
  cluster.setProcessEnv({{"LD_PRELOAD", kFakeTime},
                         {"FAKETIME_TIMESTAMP_FILE", offset_file},
                         {"FAKETIME_CACHE_DURATION", "1"},  // re-read the file every second
                         {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}});
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(4);
  cluster.startWorker(4);
  // Half the jobs wait in a paused queue until the broker has seen the jump,
  // so jobs submitted before it certainly run after it, however fast the
  // other half goes and whenever the processes re-read the offset file.
  ASSERT_TRUE(cluster.client().pause("held", true).isOk());
  std::vector<wire::JobSpec> specs(kJobs, jobSpec("sleep", "40"));
  for (size_t i = 0; i < specs.size(); i += 2) {
    specs[i].set_queue("held");
  }
  const auto ids = cluster.submitAll(specs);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kJobs));
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() >= 40; }, 60s));

  const TimeMs before_jump = brokerWallMs(cluster);
  ASSERT_GT(before_jump, 0);
  writeOffset(offset_file, "+3600");
  ASSERT_TRUE(
      Cluster::waitFor([&] { return brokerWallMs(cluster) > before_jump + 3'000'000; }, 60s))
      << "the broker's wall clock never jumped";
  ASSERT_TRUE(cluster.client().pause("held", false).isOk());

  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == kJobs; }, 120s))
      << "finished " << cluster.finishedCount() << "\n"
      << cluster.broker().log();
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            kJobs);
  // The broker's own stamps show the jump: jobs created before it finished
  // after it.
  EXPECT_GT(cluster.sqlCount("SELECT count(*) FROM gantry_job_history WHERE finished_at_ms > "
                             "(SELECT min(created_at_ms) FROM gantry_job_history) + 3000000"),
            0);
  // One attempt per job, each a success: nothing lost, expired or retried.
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"), kJobs);
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"
                             " WHERE outcome <> 'succeeded'"),
            0);
  auto stats = cluster.client().stats();
  ASSERT_TRUE(stats.isOk()) << stats.status().toString();
  EXPECT_EQ(stats->workers(), 2u);
  EXPECT_EQ(stats->failed_total(), 0u);
}

}  // namespace
}  // namespace gantry::test
