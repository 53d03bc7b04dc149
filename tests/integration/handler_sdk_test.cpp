// The handler SDK through real processes, driven by the `scripted` kind:
// partial success, retry-not-before, fan-out (and its durability across a
// broker SIGKILL), permits under a pool-wide limit, pushback and refusals.
#include <csignal>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cluster.h"
#include "gantry/common/clock.h"
#include "gantry/common/job_state.h"

namespace gantry::test {
namespace {

using nlohmann::json;

wire::JobSpec scripted(const json& script) { return jobSpec("scripted", script.dump()); }

class HandlerSdk : public ::testing::Test {
 protected:
  void start(std::vector<std::string> broker_flags = {}, uint32_t workers = 1) {
    cluster_.migrate();
    cluster_.startBroker(std::move(broker_flags));
    for (uint32_t i = 0; i < workers; ++i) {
      cluster_.startWorker(4);
    }
  }
  wire::Job finished(uint64_t id) {
    wire::Job job;
    EXPECT_TRUE(Cluster::waitFor(
        [&] {
          auto reply = cluster_.client().get(id, false);
          if (!reply.isOk()) {
            return false;
          }
          job = reply->job();
          return isFinalState(job.state());
        },
        60s))
        << "job " << id << " is " << job.DebugString();
    return job;
  }
  // Submits one job; 0 (and a failure) when it was refused.
  uint64_t submitOne(const wire::JobSpec& spec) {
    const auto ids = cluster_.submitAll({spec});
    EXPECT_EQ(ids.size(), 1u) << "submit refused";
    return ids.empty() ? 0 : ids[0];
  }
  wire::ResourceStats resource(const std::string& name) {
    auto stats = cluster_.client().stats();
    EXPECT_TRUE(stats.isOk());
    for (const auto& r : stats->resources()) {
      if (r.name() == name) {
        return r;
      }
    }
    ADD_FAILURE() << "no resource " << name;
    return {};
  }
  Cluster cluster_;
};

TEST_F(HandlerSdk, APartialSuccessIsSucceededAndShowsWhatDegradedEverywhere) {
  start();
  const uint64_t id = submitOne(scripted(
      {{"outcome", "partial"},
       {"result", "3 of 4 summaries"},
       {"degraded", {{{"what", "summary of meeting 7"}, {"reason", "summarizer down"}}}}}));
  const wire::Job job = finished(id);
  EXPECT_EQ(job.state(), wire::SUCCEEDED);
  ASSERT_EQ(job.degraded_size(), 1);
  EXPECT_EQ(job.degraded(0).what(), "summary of meeting 7");
  EXPECT_EQ(job.result(), "3 of 4 summaries");

  auto [code, out] = cluster_.gantryctl({"get", std::to_string(id), "--json"});
  ASSERT_EQ(code, 0) << out;
  const json got = json::parse(out);
  EXPECT_EQ(got["job"]["partial"], true);
  EXPECT_EQ(got["job"]["degraded"][0]["reason"], "summarizer down");
  std::tie(code, out) = cluster_.gantryctl({"list", "--state", "succeeded"});
  EXPECT_NE(out.find("succeeded (partial)"), std::string::npos) << out;
  std::tie(code, out) = cluster_.gantryctl({"stats", "--json"});
  EXPECT_EQ(json::parse(out)["totals"]["partial"], 1) << out;
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE degraded <> ''"), 1);
}

TEST_F(HandlerSdk, RetryNotBeforeOverridesAnHourOfBackoff) {
  start({"--kind-policy", "scripted:backoff_base_ms=3600000,backoff_cap_ms=3600000"});
  const uint64_t id = submitOne(scripted({{"outcome", "retryable"},
                                          {"error", "upstream said later"},
                                          {"retry_after_ms", 400},
                                          {"fail_attempts", 1}}));
  const wire::Job job = finished(id);
  EXPECT_EQ(job.state(), wire::SUCCEEDED);
  EXPECT_EQ(job.attempt(), 2u);
  // Not before: the second attempt started at least 400 ms after the first ended.
  const long gap = cluster_.sqlCount(
      "SELECT (SELECT started_at_ms FROM gantry_job_history WHERE id = " + std::to_string(id) +
      ") - (SELECT finished_at_ms FROM gantry_job_attempts WHERE job_id = " + std::to_string(id) +
      " AND attempt = 1)");
  EXPECT_GE(gap, 400);
}

TEST_F(HandlerSdk, AFanOutCreatesItsChildrenWithTheSuccessAndARefusedOneNone) {
  start();
  json children = json::array();
  for (int i = 0; i < 5; ++i) {
    children.push_back({{"kind", "noop"}, {"payload", "child-" + std::to_string(i)}});
  }
  const uint64_t parent = submitOne(scripted({{"fan_out", children}}));
  EXPECT_EQ(finished(parent).state(), wire::SUCCEEDED);
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        return cluster_.sqlCount(
                   "SELECT count(*) FROM gantry_job_history WHERE kind = 'noop' "
                   "AND state = 'succeeded' AND payload::text LIKE '%'") == 5;
      },
      60s));

  const uint64_t refused = submitOne(scripted({{"fan_out", {{{"kind", "noop"}}, {{"kind", ""}}}}}));
  const wire::Job dead = finished(refused);
  EXPECT_EQ(dead.state(), wire::DEAD);
  EXPECT_NE(dead.last_error().find("fan-out refused"), std::string::npos) << dead.last_error();
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE kind = 'noop'") +
                cluster_.sqlCount("SELECT count(*) FROM gantry_jobs WHERE kind = 'noop'"),
            5);
}

// The children of an attempt are committed with its success or not at all,
// so a broker killed at any moment leaves each parent with its children
// exactly once: a parent whose success was lost runs again and fans out
// again, and one whose success was committed does not.
TEST_F(HandlerSdk, AFanOutEndsExactlyOnceAcrossABrokerSigkill) {
  start({}, 2);
  constexpr int kParents = 200;
  constexpr int kChildren = 4;
  std::vector<wire::JobSpec> specs;
  for (int p = 0; p < kParents; ++p) {
    json children = json::array();
    for (int c = 0; c < kChildren; ++c) {
      children.push_back(
          {{"kind", "noop"}, {"payload", "p" + std::to_string(p) + "-c" + std::to_string(c)}});
    }
    wire::JobSpec spec = scripted({{"fan_out", children}});
    spec.set_max_attempts(20);  // the kill may cost attempts; none may end dead
    specs.push_back(spec);
  }
  const auto parents = cluster_.submitAll(specs);
  ASSERT_EQ(parents.size(), static_cast<size_t>(kParents));
  ASSERT_TRUE(Cluster::waitFor(
      [&] { return cluster_.sqlCount("SELECT count(*) FROM gantry_job_history") >= 100; }, 60s));
  cluster_.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster_.broker().waitExit(10s).has_value());
  cluster_.startBroker();
  constexpr long kAll = kParents * (1 + kChildren);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == kAll; }, 120s))
      << "finished " << cluster_.finishedCount() << ", active " << cluster_.activeCount();
  EXPECT_EQ(cluster_.activeCount(), 0);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            kAll);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(DISTINCT payload) FROM gantry_job_history "
                              "WHERE kind = 'noop'"),
            kParents * kChildren)
      << "every child exactly once";
  // Every job's attempts are recorded, and the kill cost at most a re-run
  // of what was in flight (2 workers x 4 slots): no retry storm.
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history h WHERE NOT EXISTS "
                              "(SELECT 1 FROM gantry_job_attempts a WHERE a.job_id = h.id)"),
            0);
  EXPECT_LE(cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts"), kAll + 8);
}

TEST_F(HandlerSdk, PermitsFollowThePoolWideLimitAndAPushbackHoldsIt) {
  start({"--resource", "api=20/s,burst=1"}, 2);
  std::vector<wire::JobSpec> specs;
  for (int i = 0; i < 30; ++i) {
    specs.push_back(scripted({{"acquire", {{"resource", "api"}}}}));
  }
  ASSERT_EQ(cluster_.submitAll(specs).size(), 30u);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == 30; }, 60s));
  EXPECT_EQ(resource("api").granted_total(), 30u);
  EXPECT_DOUBLE_EQ(resource("api").limit_per_s(), 20);

  const uint64_t pushback = submitOne(scripted(
      {{"report", {{"resource", "api"}, {"signal", "pushback"}, {"retry_after_ms", 60000}}}}));
  EXPECT_EQ(finished(pushback).state(), wire::SUCCEEDED);
  const wire::ResourceStats held = resource("api");
  EXPECT_GT(held.held_until_ms(), SystemClock().wallMs() + 50'000);
  EXPECT_DOUBLE_EQ(held.rate_per_s(), 10);
  EXPECT_EQ(held.pushbacks_total(), 1u);
  // Held for a minute: a permit request waits, and a cancel frees it.
  const uint64_t waiting = submitOne(scripted({{"acquire", {{"resource", "api"}}}}));
  ASSERT_TRUE(Cluster::waitFor([&] { return resource("api").waiting() == 1; }, 30s));
  auto [code, out] = cluster_.gantryctl({"cancel", std::to_string(waiting)});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(finished(waiting).state(), wire::CANCELLED);
  ASSERT_TRUE(Cluster::waitFor([&] { return resource("api").waiting() == 0; }, 30s));
  std::tie(code, out) = cluster_.gantryctl({"stats"});
  EXPECT_NE(out.find("RESOURCE"), std::string::npos) << out;
  EXPECT_NE(out.find("api"), std::string::npos) << out;
}

// A handler waiting for a permit outlives a broker restart: the worker asks
// again after its hello, and the new broker (whose buckets start full)
// grants it. The job neither fails nor runs twice.
TEST_F(HandlerSdk, AWaitingPermitIsAskedForAgainAfterABrokerRestart) {
  cluster_.setWorkerLogLevel("debug");  // its hellos are logged at debug
  start({"--resource", "api=1/h"});
  const uint64_t first = submitOne(scripted({{"acquire", {{"resource", "api"}}}}));
  EXPECT_EQ(finished(first).state(), wire::SUCCEEDED);
  const uint64_t waiting = submitOne(scripted({{"acquire", {{"resource", "api"}}}}));
  ASSERT_TRUE(Cluster::waitFor([&] { return resource("api").waiting() == 1; }, 30s));
  cluster_.broker().signal(SIGKILL);
  ASSERT_TRUE(cluster_.broker().waitExit(10s).has_value());
  cluster_.startBroker({"--resource", "api=1/h"});
  const wire::Job job = finished(waiting);
  EXPECT_EQ(job.state(), wire::SUCCEEDED) << job.last_error();
  EXPECT_EQ(job.attempt(), 1u) << "the attempt was adopted, not run again";
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_attempts WHERE job_id = " +
                              std::to_string(waiting)),
            1);
  // One hello at start and one to the new broker (at most one more if a
  // reannounce crossed it), not a storm of them.
  const std::string log = cluster_.worker(0).log();
  size_t hellos = 0;
  for (size_t at = log.find("hello sent"); at != std::string::npos;
       at = log.find("hello sent", at + 1)) {
    ++hellos;
  }
  EXPECT_GE(hellos, 2u) << log;
  EXPECT_LE(hellos, 3u) << log;
}

TEST_F(HandlerSdk, APermitForAResourceTheBrokerDoesNotKnowIsAClearError) {
  start({"--resource", "api=5/s"});
  const uint64_t id = submitOne(scripted({{"acquire", {{"resource", "graph"}}}}));
  const wire::Job job = finished(id);
  EXPECT_EQ(job.state(), wire::DEAD);
  EXPECT_NE(job.last_error().find("resource 'graph' has no limit on the broker"), std::string::npos)
      << job.last_error();
}

TEST_F(HandlerSdk, ABadResourceSettingStopsTheBrokerWithOneLine) {
  cluster_.migrate();
  auto broker = cluster_.launchBroker("bad.log", cluster_.workerEndpoint(),
                                      cluster_.clientEndpoint(), {"--resource", "api=fast"});
  EXPECT_EQ(broker->waitExit(30s), 2);
  EXPECT_NE(broker->log().find("--resource"), std::string::npos) << broker->log();
  EXPECT_NE(broker->log().find("api=fast"), std::string::npos) << broker->log();
}

}  // namespace
}  // namespace gantry::test
