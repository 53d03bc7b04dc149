// Metrics and health probes of real processes: a real Prometheus scrapes a
// broker and two workers after a known workload and finds the series with
// the expected values; the probes follow the database, the ownership and
// the broker connection as they change.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/cluster.h"
#include "support/http_get.h"
#include "support/prometheus_server.h"

namespace gantry::test {
namespace {

std::vector<std::string> metricsFlag(int port) {
  return {"--metrics-listen", "127.0.0.1:" + std::to_string(port)};
}

wire::JobSpec job(const std::string& queue, const std::string& kind) {
  wire::JobSpec spec;
  spec.set_queue(queue);
  spec.set_kind(kind);
  spec.set_max_attempts(1);
  return spec;
}

// The probe's HTTP status and JSON body ({} when nothing answered).
std::pair<int, nlohmann::json> probe(int port, const std::string& path) {
  auto reply = httpGet(port, path);
  if (!reply) {
    return {0, nlohmann::json::object()};
  }
  return {reply->status, nlohmann::json::parse(reply->body, nullptr, false)};
}

bool probeIs(int port, const std::string& path, int status) {
  return Cluster::waitFor([&] { return probe(port, path).first == status; }, 30s);
}

TEST(Observability, PrometheusFindsTheWorkloadInTheBrokerAndWorkerMetrics) {
  Cluster cluster;
  cluster.migrate();
  const int broker_port = freeLoopbackPort();
  cluster.startBroker(metricsFlag(broker_port));
  const int worker1_port = freeLoopbackPort();
  cluster.startWorker(3, metricsFlag(worker1_port));
  const int worker2_port = freeLoopbackPort();
  cluster.startWorker(2, metricsFlag(worker2_port));

  std::vector<wire::JobSpec> specs;
  specs.reserve(24);
  for (int i = 0; i < 20; ++i) {
    specs.push_back(job("mail", "noop"));
  }
  for (int i = 0; i < 4; ++i) {
    specs.push_back(job("mail", "fatal"));
  }
  ASSERT_EQ(cluster.submitAll(specs).size(), 24u);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 24; }, 60s));

  PrometheusServer prometheus(
      cluster.path(""),
      {{"broker", broker_port}, {"worker", worker1_port}, {"worker", worker2_port}});
  const auto patience = 30s;
  EXPECT_TRUE(prometheus.waitForValue("count(up == 1)", 3, patience)) << prometheus.log();
  EXPECT_TRUE(prometheus.waitForValue(R"(gantry_jobs_submitted_total{queue="mail",kind="noop"})",
                                      20, patience));
  EXPECT_TRUE(prometheus.waitForValue(R"(gantry_jobs_succeeded_total{queue="mail",kind="noop"})",
                                      20, patience));
  EXPECT_TRUE(
      prometheus.waitForValue(R"(gantry_jobs_dead_total{queue="mail",kind="fatal"})", 4, patience));
  EXPECT_TRUE(prometheus.waitForValue(R"(gantry_jobs_failed_total{queue="mail",kind="fatal"})", 4,
                                      patience));
  EXPECT_TRUE(
      prometheus.waitForValue(R"(gantry_job_wait_seconds_count{queue="mail"})", 24, patience));
  EXPECT_TRUE(
      prometheus.waitForValue(R"(gantry_job_run_seconds_count{queue="mail"})", 24, patience));
  EXPECT_TRUE(
      prometheus.waitForValue(R"(gantry_queue_jobs{queue="mail",state="ready"})", 0, patience));
  EXPECT_TRUE(prometheus.waitForValue("gantry_workers_connected", 2, patience));
  EXPECT_TRUE(prometheus.waitForValue("gantry_pool_slots", 5, patience));
  EXPECT_TRUE(prometheus.waitForValue("gantry_database_up", 1, patience));
  EXPECT_TRUE(prometheus.waitForValue("count(gantry_commit_batch_writes_count > 0)", 1, patience));
  // The workers' side: slots and handler durations, summed over both.
  EXPECT_TRUE(prometheus.waitForValue(R"(sum(gantry_worker_slots{job="worker"}))", 5, patience));
  EXPECT_TRUE(prometheus.waitForValue(
      R"(sum(gantry_handler_duration_seconds_count{kind="noop",outcome="succeeded"}))", 20,
      patience));
  EXPECT_TRUE(prometheus.waitForValue(
      R"(sum(gantry_handler_duration_seconds_count{kind="fatal",outcome="fatal"}))", 4, patience));
  EXPECT_TRUE(prometheus.waitForValue("sum(gantry_worker_broker_connected)", 2, patience));
}

TEST(Observability, TheBrokerIsNotReadyWhileItsDatabaseIsDownAndReadyAgainAfter) {
  Cluster cluster;
  cluster.migrate();
  const int port = freeLoopbackPort();
  cluster.startBroker(metricsFlag(port));
  ASSERT_TRUE(probeIs(port, "/readyz", 200));
  auto [status, body] = probe(port, "/readyz");
  EXPECT_EQ(body["checks"]["role"]["ok"], true);
  EXPECT_EQ(body["checks"]["database"]["ok"], true);
  EXPECT_EQ(body["checks"]["schema"]["ok"], true);
  EXPECT_EQ(probe(port, "/startupz").first, 200);
  EXPECT_EQ(probe(port, "/livez").first, 200);

  TestPostgres::shared().stop();
  ASSERT_TRUE(probeIs(port, "/readyz", 503));
  body = probe(port, "/readyz").second;
  EXPECT_EQ(body["checks"]["database"]["ok"], false) << body.dump();
  EXPECT_EQ(probe(port, "/livez").first, 200) << "a broker waiting for its database is alive";

  TestPostgres::shared().start();
  ASSERT_TRUE(probeIs(port, "/readyz", 200)) << probe(port, "/readyz").second.dump();
}

TEST(Observability, AStandbyBrokerIsLiveButNotReadyUntilItTakesOver) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const int port = freeLoopbackPort();
  auto standby = cluster.launchBroker("standby.log", "ipc://" + cluster.path("w2"),
                                      "ipc://" + cluster.path("c2"), metricsFlag(port));
  ASSERT_TRUE(probeIs(port, "/startupz", 200));
  ASSERT_TRUE(Cluster::waitFor(
      [&] {
        auto [status, body] = probe(port, "/readyz");
        return status == 503 &&
               body["checks"]["role"]["detail"].get<std::string>().find("standby") == 0;
      },
      30s))
      << probe(port, "/readyz").second.dump();
  EXPECT_EQ(probe(port, "/livez").first, 200);

  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(probeIs(port, "/readyz", 200)) << probe(port, "/readyz").second.dump();
  EXPECT_NE(
      probe(port, "/readyz").second["checks"]["role"]["detail"].get<std::string>().find("owner"),
      std::string::npos);
}

TEST(Observability, AWorkerIsReadyOnlyWhileTheBrokerAnswers) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const int port = freeLoopbackPort();
  cluster.startWorker(2, metricsFlag(port));
  ASSERT_TRUE(probeIs(port, "/readyz", 200));
  auto [status, body] = probe(port, "/readyz");
  EXPECT_EQ(body["checks"]["handlers"]["ok"], true);
  EXPECT_NE(body["checks"]["handlers"]["detail"].get<std::string>().find("noop"),
            std::string::npos);

  cluster.broker().signal(SIGKILL);
  ASSERT_TRUE(probeIs(port, "/readyz", 503));
  EXPECT_EQ(probe(port, "/readyz").second["checks"]["broker"]["ok"], false);
  EXPECT_EQ(probe(port, "/livez").first, 200) << "a worker waiting for its broker is alive";

  cluster.startBroker();
  EXPECT_TRUE(probeIs(port, "/readyz", 200));
}

}  // namespace
}  // namespace gantry::test
