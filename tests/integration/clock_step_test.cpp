// The wall clock of the broker and the workers jumps an hour forward in the
// middle of a run, as NTP or a resumed VM makes it do. Leases, liveness and
// timeouts run on the monotonic clock, so nothing may notice: no worker is
// declared dead, no lease expires, no attempt is burned.
//
// The jump is made with libfaketime (Debian's faketime package), preloaded
// into the broker and worker processes only: it shifts CLOCK_REALTIME by the
// offset in a file the test rewrites, and leaves CLOCK_MONOTONIC alone.
#include <filesystem>
#include <fstream>

#include "cluster.h"
#include "gantry/common/clock.h"

namespace gantry::test {
namespace {

constexpr const char* kFakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
constexpr TimeMs kHourMs = TimeMs{3600} * 1000;

// Replaced in one step (rename), so a process never reads a half-written
// offset.
void writeOffset(const std::string& path, const std::string& offset) {
  std::ofstream(path + ".new", std::ios::trunc) << offset << "\n";
  std::filesystem::rename(path + ".new", path);
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
                         {"FAKETIME_NO_CACHE", "1"},  // every read of the clock reads the file
                         {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}});
  cluster.migrate();
  cluster.startBroker();
  cluster.startWorker(4);
  cluster.startWorker(4);
  // Eight jobs hold every slot across the step.
  auto ids = cluster.submitAll(std::vector<wire::JobSpec>(8, jobSpec("sleep", "2000")));
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        auto stats = cluster.client().stats();
        return stats.isOk() && stats->queues_size() > 0 && stats->queues(0).running() == 8;
      },
      30s));

  const TimeMs before_step = SystemClock::instance().wallMs();
  writeOffset(offset_file, "+3600");
  const auto after = cluster.submitAll(std::vector<wire::JobSpec>(200, jobSpec("sleep", "20")));
  ids.insert(ids.end(), after.begin(), after.end());
  ASSERT_EQ(ids.size(), 208u);
  // The broker stamped them on the stepped clock.
  auto first_after = cluster.client().get(after.front(), false);
  ASSERT_TRUE(first_after.isOk()) << first_after.status().toString();
  EXPECT_GT(first_after->job().created_at_ms(), before_step + kHourMs - 60'000);

  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 208; }, 120s))
      << "finished " << cluster.finishedCount() << "\n"
      << cluster.broker().log();
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            208);
  // One attempt per job, each a success: nothing lost, expired or retried.
  EXPECT_EQ(cluster.sqlCount("SELECT count(*) FROM gantry_job_attempts"), 208);
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
