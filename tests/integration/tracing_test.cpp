// One job's trace end to end, decoded by an OTLP receiver built on the
// official OpenTelemetry definitions: gantryctl's send, the broker's
// enqueue and dispatch, the worker's process span per attempt, the retry's
// link to the first attempt and the first attempt's error status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/cluster.h"
#include "support/otlp_receiver.h"

namespace gantry::test {
namespace {

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kCallerSpanId = "00f067aa0ba902b7";

const nlohmann::json* find(const std::vector<nlohmann::json>& spans, const std::string& name,
                           int64_t attempt = 0) {
  for (const auto& span : spans) {
    if (span["name"] == name &&
        (attempt == 0 || span["attributes"].value("gantry.job.attempt", int64_t{0}) == attempt)) {
      return &span;
    }
  }
  return nullptr;
}

TEST(Tracing, AJobThatFailsOnceAndSucceedsIsOneTraceWithTheRetryLinked) {
  OtlpReceiver receiver;
  Cluster cluster;
  cluster.migrate();
  // Export every 100 ms, so the test waits on spans, not on the batch timer.
  const std::map<std::string, std::string> otel = {
      {"OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()}, {"OTEL_BSP_SCHEDULE_DELAY", "100"}};
  cluster.setProcessEnv(otel);
  cluster.startBroker();
  cluster.startWorker(2);

  std::map<std::string, std::string> ctl_env = otel;
  ctl_env["GANTRY_CLIENT_ENDPOINT"] = cluster.clientEndpoint();
  ctl_env["TRACEPARENT"] = std::string("00-") + kTraceId + "-" + kCallerSpanId + "-01";
  ChildProcess ctl(builtBinary("tools/gantryctl"),
                   {"submit", "--json", "--kind", "flaky", "--payload", "1", "--queue", "mail",
                    "--max-attempts", "3"},
                   ctl_env, cluster.path("gantryctl.log"));
  ASSERT_EQ(ctl.waitExit(30s), 0) << ctl.log();
  const auto document = nlohmann::json::parse(ctl.log().substr(ctl.log().find('{')));
  const std::string job_id = std::to_string(document["jobs"][0]["id"].get<uint64_t>());
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 1; }, 30s));

  // send, enqueue, two dispatches and two process spans.
  const auto spans = receiver.waitForSpans(6, 30s);
  ASSERT_EQ(spans.size(), 6u) << receiver.log();
  for (const auto& span : spans) {
    EXPECT_EQ(span["trace_id"], kTraceId) << span.dump();
    EXPECT_EQ(span["attributes"]["messaging.system"], "gantry") << span.dump();
    EXPECT_EQ(span["attributes"]["messaging.destination.name"], "mail") << span.dump();
    EXPECT_EQ(span["attributes"]["messaging.message.id"], job_id) << span.dump();
  }

  const auto* send = find(spans, "send mail");
  ASSERT_NE(send, nullptr);
  EXPECT_EQ((*send)["kind"], 4) << "PRODUCER";
  EXPECT_EQ((*send)["parent_span_id"], kCallerSpanId) << "continues the caller's trace";
  EXPECT_EQ((*send)["attributes"]["messaging.operation.type"], "send");
  EXPECT_EQ((*send)["resource"]["service.name"], "gantryctl");

  const auto* enqueue = find(spans, "enqueue mail");
  ASSERT_NE(enqueue, nullptr);
  EXPECT_EQ((*enqueue)["kind"], 2) << "SERVER";
  EXPECT_EQ((*enqueue)["parent_span_id"], (*send)["span_id"]);
  EXPECT_EQ((*enqueue)["resource"]["service.name"], "gantry-broker");

  const nlohmann::json* process[2];
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const auto* dispatch = find(spans, "dispatch mail", attempt);
    ASSERT_NE(dispatch, nullptr) << "attempt " << attempt;
    EXPECT_EQ((*dispatch)["kind"], 1) << "INTERNAL";
    EXPECT_EQ((*dispatch)["parent_span_id"], (*send)["span_id"]);
    process[attempt - 1] = find(spans, "process mail", attempt);
    ASSERT_NE(process[attempt - 1], nullptr) << "attempt " << attempt;
    const auto& span = *process[attempt - 1];
    EXPECT_EQ(span["kind"], 5) << "CONSUMER";
    EXPECT_EQ(span["parent_span_id"], (*dispatch)["span_id"]) << "a child of its dispatch";
    EXPECT_EQ(span["attributes"]["messaging.operation.type"], "process");
    EXPECT_EQ(span["attributes"]["gantry.job.kind"], "flaky");
    EXPECT_EQ(span["resource"]["service.name"], "gantry-worker");
  }
  EXPECT_EQ((*process[0])["status"]["code"], 2) << "ERROR on the failed attempt";
  EXPECT_NE((*process[0])["status"]["message"].get<std::string>().find("failing attempt 1"),
            std::string::npos);
  EXPECT_EQ((*process[0])["attributes"]["gantry.job.outcome"], "retryable");
  EXPECT_NE((*process[1])["status"]["code"], 2);
  EXPECT_EQ((*process[1])["attributes"]["gantry.job.outcome"], "succeeded");
  ASSERT_EQ((*process[1])["links"].size(), 1u) << "the retry links to the attempt before";
  EXPECT_EQ((*process[1])["links"][0]["span_id"], (*process[0])["span_id"]);
  EXPECT_TRUE((*process[0])["links"].empty());
}

TEST(Tracing, AnUnsampledTraceReachesTheWorkerButRecordsNothing) {
  OtlpReceiver receiver;
  Cluster cluster;
  cluster.migrate();
  cluster.setProcessEnv(
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()}, {"OTEL_BSP_SCHEDULE_DELAY", "100"}});
  cluster.setWorkerLogLevel("debug");
  cluster.startBroker();
  cluster.startWorker(1);
  wire::JobSpec spec;
  spec.set_kind("noop");
  spec.set_traceparent(std::string("00-") + kTraceId + "-" + kCallerSpanId + "-00");
  ASSERT_EQ(cluster.submitAll({spec}).size(), 1u);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 1; }, 30s));
  // The worker logs the trace it ran the job in: propagation works.
  ASSERT_TRUE(Cluster::waitFor(
      [&] { return cluster.worker(0).log().find(kTraceId) != std::string::npos; }, 10s));
  // A sampled job afterwards shows the exporters work and are drained.
  spec.set_traceparent(std::string("00-") + kTraceId + "-" + kCallerSpanId + "-01");
  ASSERT_EQ(cluster.submitAll({spec}).size(), 1u);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 2; }, 30s));
  const auto spans = receiver.waitForSpans(3, 30s);  // enqueue, dispatch, process
  EXPECT_EQ(spans.size(), 3u);
  for (const auto& span : spans) {
    EXPECT_EQ(span["attributes"]["messaging.message.id"], "2") << "only the sampled job's spans";
  }
}

}  // namespace
}  // namespace gantry::test
