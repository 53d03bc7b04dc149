// End to end through real processes: submit, run, record, exactly once.
#include <map>
#include <set>
#include <sstream>

#include "cluster.h"
#include "gantry/common/clock.h"

namespace gantry::test {
namespace {

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.migrate();
    cluster_.startBroker();
  }
  Cluster cluster_;
};

TEST_F(Pipeline, ThousandsOfJobsAcrossPrioritiesAndKeysSucceedExactlyOnce) {
  cluster_.startWorker(8);
  cluster_.startWorker(8);
  std::vector<wire::JobSpec> specs;
  for (int i = 0; i < 3000; ++i) {
    const std::string key = i % 3 == 0 ? "user:" + std::to_string(i % 40) : "";
    specs.push_back(jobSpec(i % 5 == 0 ? "sleep" : "noop", i % 5 == 0 ? "1" : "", i % 10, key));
  }
  const auto ids = cluster_.submitAll(specs);
  ASSERT_EQ(ids.size(), specs.size());
  ASSERT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), ids.size());
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 3000; }, 120s))
      << "finished: " << cluster_.finishedCount();
  EXPECT_EQ(cluster_.activeCount(), 0);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            3000);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(DISTINCT id) FROM gantry_job_history"), 3000);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts"), 3000);

  // The per-key cap of one: no two attempts of a key overlap in time.
  EXPECT_EQ(cluster_.sqlCount(
                "SELECT count(*) FROM gantry_job_attempts a "
                "JOIN gantry_job_history ja ON ja.id = a.job_id "
                "JOIN gantry_job_attempts b ON b.job_id <> a.job_id "
                "JOIN gantry_job_history jb ON jb.id = b.job_id "
                "WHERE ja.concurrency_key <> '' AND ja.concurrency_key = jb.concurrency_key "
                "AND a.started_at_ms < b.finished_at_ms AND b.started_at_ms < a.finished_at_ms"),
            0);
}

TEST_F(Pipeline, FlakyJobsSucceedAfterRetries) {
  cluster_.startWorker(4);
  std::vector<wire::JobSpec> specs;
  specs.reserve(20);
  for (int i = 0; i < 20; ++i) {
    specs.push_back(jobSpec("flaky", "2"));
  }
  cluster_.submitAll(specs);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 20; }, 60s));
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history "
                              "WHERE state = 'succeeded' AND attempt = 3"),
            20);
  EXPECT_EQ(
      cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts WHERE outcome = 'retryable'"),
      40);
}

TEST_F(Pipeline, FatalAndExhaustedJobsGoDeadAndRetryRevivesThem) {
  cluster_.startWorker(4);
  auto fatal = jobSpec("fatal");
  auto exhausted = jobSpec("flaky", "100");
  exhausted.set_max_attempts(2);
  const auto ids = cluster_.submitAll({fatal, exhausted});
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 2; }, 60s));
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'dead'"), 2);
  EXPECT_EQ(cluster_.sqlCount("SELECT attempt FROM gantry_job_history WHERE id = " +
                              std::to_string(ids[0])),
            1);
  EXPECT_EQ(cluster_.sqlCount("SELECT attempt FROM gantry_job_history WHERE id = " +
                              std::to_string(ids[1])),
            2);

  auto [code, output] = cluster_.gantryctl({"retry", std::to_string(ids[0])});
  EXPECT_EQ(code, 0) << output;
  // Revived, it runs again (and dies again: it is the fatal handler).
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        return cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts WHERE job_id = " +
                                 std::to_string(ids[0])) == 2 &&
               cluster_.finishedCount() == 2;
      },
      60s));
  // Retrying a job that is not dead is refused and changes nothing.
  auto again = cluster_.client().retry({ids[1] + 1000});
  ASSERT_TRUE(again.isOk());
  EXPECT_FALSE(again->outcomes(0).ok());
}

TEST_F(Pipeline, CancelQueuedAndRunningJobs) {
  auto running = jobSpec("sleep", "60000");
  auto queued = jobSpec("noop");
  queued.set_run_at_ms(gantry::SystemClock::instance().wallMs() + 3'600'000);
  const auto ids = cluster_.submitAll({running, queued});
  cluster_.startWorker(2);
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        auto job = cluster_.client().get(ids[0], false);
        return job.isOk() && job->job().state() == wire::RUNNING;
      },
      30s));
  auto reply = cluster_.client().cancel({ids[0], ids[1]});
  ASSERT_TRUE(reply.isOk()) << reply.status().toString();
  EXPECT_TRUE(reply->outcomes(0).ok());
  EXPECT_TRUE(reply->outcomes(1).ok());
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 2; }, 30s));
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'cancelled'"),
            2);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts WHERE job_id = " +
                              std::to_string(ids[1])),
            0);
}

// A job that is already final cannot be cancelled: the answer says so and
// names its state (refused, exit 1), while an id that never existed is not
// found (exit 4).
TEST_F(Pipeline, CancelOfAFinishedJobIsRefusedNamingItsState) {
  cluster_.startWorker(1);
  const auto ids = cluster_.submitAll({jobSpec("noop")});
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 1; }, 30s));
  const uint64_t unknown = ids[0] + 1'000'000;
  auto reply = cluster_.client().cancel({ids[0], unknown});
  ASSERT_TRUE(reply.isOk()) << reply.status().toString();
  ASSERT_EQ(reply->outcomes_size(), 2);
  EXPECT_FALSE(reply->outcomes(0).ok());
  EXPECT_EQ(reply->outcomes(0).code(), wire::FAILED_PRECONDITION);
  EXPECT_EQ(reply->outcomes(0).message(), "job " + std::to_string(ids[0]) +
                                              " is succeeded; only jobs that are not final can be"
                                              " cancelled");
  EXPECT_EQ(reply->outcomes(1).code(), wire::NOT_FOUND);
  EXPECT_EQ(cluster_.gantryctl({"cancel", std::to_string(ids[0])}).first, 1);
  EXPECT_EQ(cluster_.gantryctl({"cancel", std::to_string(unknown)}).first, 4);
}

// Jobs of a kind no connected worker runs are accepted with a warning, and
// stats list the kind until a worker that runs it connects.
TEST_F(Pipeline, JobsNoWorkerCanRunAreAcceptedWithAWarningAndShownInStats) {
  cluster_.startWorker(1, {"--kinds", "noop"});
  auto [code, output] = cluster_.gantryctl({"submit", "--kind", "echo", "--payload", "hi"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("warning: no connected worker runs kind 'echo'"), std::string::npos)
      << output;
  auto stats = cluster_.client().stats();
  ASSERT_TRUE(stats.isOk()) << stats.status().toString();
  ASSERT_EQ(stats->unserved_kinds_size(), 1);
  EXPECT_EQ(stats->unserved_kinds(0).kind(), "echo");
  cluster_.startWorker(1);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 1; }, 30s));
  EXPECT_EQ(cluster_.client().stats()->unserved_kinds_size(), 0);
}

// A long sleep reports progress; the broker keeps the last report of the
// running attempt and gantryctl shows it.
TEST_F(Pipeline, RunningJobShowsItsWorkersProgress) {
  cluster_.startWorker(1);
  const auto ids = cluster_.submitAll({jobSpec("sleep", "60000")});
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        auto job = cluster_.client().get(ids[0], false);
        return job.isOk() && job->job().has_progress();
      },
      30s));
  auto [code, output] = cluster_.gantryctl({"get", std::to_string(ids[0])});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("% slept "), std::string::npos) << output;
  EXPECT_NE(output.find(" of 60000 ms"), std::string::npos) << output;
  // Reads that go through the database get it too.
  auto with_attempts = cluster_.client().get(ids[0], true);
  ASSERT_TRUE(with_attempts.isOk());
  EXPECT_TRUE(with_attempts->job().has_progress());
}

TEST_F(Pipeline, DelayedJobsDoNotStartEarly) {
  cluster_.startWorker(4);
  std::vector<wire::JobSpec> specs;
  const gantry::TimeMs now = gantry::SystemClock::instance().wallMs();
  for (int i = 0; i < 10; ++i) {
    auto spec = jobSpec("noop");
    spec.set_run_at_ms(now + 300 + TimeMs{i} * 50);
    specs.push_back(spec);
  }
  cluster_.submitAll(specs);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 10; }, 30s));
  EXPECT_EQ(
      cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts a JOIN gantry_job_history j "
                        "ON j.id = a.job_id WHERE a.started_at_ms < j.run_at_ms"),
      0);
}

TEST_F(Pipeline, UniqueKeyReturnsTheLiveJob) {
  auto spec = jobSpec("noop");
  spec.set_unique_key("sync:user:42");
  auto first = cluster_.client().submit({spec});
  auto second = cluster_.client().submit({spec});
  ASSERT_TRUE(first.isOk() && second.isOk());
  EXPECT_EQ(first->ids(0), second->ids(0));
  EXPECT_TRUE(second->duplicate(0));
}

TEST(PipelineLimits, FullQueueRefusesWithAnErrorNamingQueueAndCapacity) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker({"--queue-capacity", "episodes=5"});
  std::vector<wire::JobSpec> specs;
  for (int i = 0; i < 5; ++i) {
    auto spec = jobSpec("noop");
    spec.set_queue("episodes");
    specs.push_back(spec);
  }
  ASSERT_EQ(cluster.submitAll(specs).size(), 5u);
  auto refused = cluster.client().submit({specs[0]});
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("'episodes'"), std::string::npos);
  EXPECT_NE(refused.status().message().find("capacity 5"), std::string::npos);
  EXPECT_EQ(cluster.activeCount(), 5);  // nothing of the refused request stored
  auto [code, output] = cluster.gantryctl({"submit", "--kind", "noop", "--queue", "episodes"});
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("episodes"), std::string::npos);
}

TEST(PipelineLimits, BrokerRefusesToStartOnAnUnmigratedDatabase) {
  Cluster cluster;
  ChildProcess broker(builtBinary("broker/gantry-broker"), kFastBrokerFlags,
                      {{"DATABASE_URL", cluster.databaseUrl()},
                       {"GANTRY_WORKER_ENDPOINT", cluster.workerEndpoint()},
                       {"GANTRY_CLIENT_ENDPOINT", cluster.clientEndpoint()}},
                      cluster.path("broker.log"));
  auto code = broker.waitExit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_NE(broker.log().find("gantryctl migrate up"), std::string::npos) << broker.log();
}

}  // namespace
}  // namespace gantry::test
