// The observability listener: Prometheus text from the registry (including
// the lock-free histograms), and the three probes with their JSON bodies.
#include "gantry/obs/observability.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include <nlohmann/json.hpp>

#include "gantry/obs/atomic_histogram.h"
#include "support/http_get.h"

namespace gantry::obs {
namespace {

using test::httpGet;
using test::sampleValue;

TEST(Observability, ServesCountersAndHistogramsInTheTextFormat) {
  Observability obs("test");
  auto& counter = prometheus::BuildCounter()
                      .Name("gantry_things_total")
                      .Help("things")
                      .Register(obs.registry())
                      .Add({{"queue", "mail"}});
  auto waits = std::make_shared<HistogramFamily>("gantry_wait_seconds", "waits",
                                                 std::vector<double>{0.1, 1.0});
  obs.add(waits);
  AtomicHistogram& mail = waits->add({{"queue", "mail"}});
  counter.Increment(3);
  mail.observe(0.05);
  mail.observe(0.5);
  mail.observe(7);
  auto listener = obs.serve("127.0.0.1:0");
  ASSERT_TRUE(listener.isOk());
  const int port = listener.value()->port();
  ASSERT_GT(port, 0);

  auto reply = httpGet(port, "/metrics");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->content_type.find("text/plain; version=0.0.4"), std::string::npos);
  const std::string& text = reply->body;
  EXPECT_EQ(sampleValue(text, R"(gantry_things_total{queue="mail"})"), 3);
  EXPECT_EQ(sampleValue(text, R"(gantry_wait_seconds_bucket{queue="mail",le="0.1"})"), 1);
  EXPECT_EQ(sampleValue(text, R"(gantry_wait_seconds_bucket{queue="mail",le="1"})"), 2);
  EXPECT_EQ(sampleValue(text, R"(gantry_wait_seconds_bucket{queue="mail",le="+Inf"})"), 3);
  EXPECT_EQ(sampleValue(text, R"(gantry_wait_seconds_count{queue="mail"})"), 3);
  EXPECT_DOUBLE_EQ(*sampleValue(text, R"(gantry_wait_seconds_sum{queue="mail"})"), 7.55);
  EXPECT_EQ(sampleValue(text, R"(gantry_build_info{component="test",version=")" +
                                  std::string(GANTRY_TEST_VERSION) + "\"}"),
            1);
}

TEST(Observability, ProbesReportEachCheckAndFailWhenOneOfTheirsFails) {
  Observability obs("test");
  FlagCheck database(true, "reachable");
  FlagCheck started(false, "recovering");
  obs.health().add("database", probes({Probe::kReady}), database.asCheck());
  obs.health().add("started", probes({Probe::kStartup, Probe::kReady}), started.asCheck());
  auto listener = obs.serve("localhost:0");
  ASSERT_TRUE(listener.isOk());
  const int port = listener.value()->port();

  auto live = httpGet(port, "/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200) << "no check is part of liveness";
  EXPECT_EQ(live->content_type, "application/json");

  auto ready = httpGet(port, "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  auto body = nlohmann::json::parse(ready->body);
  EXPECT_EQ(body["status"], "fail");
  EXPECT_EQ(body["checks"]["database"]["ok"], true);
  EXPECT_EQ(body["checks"]["started"]["ok"], false);
  EXPECT_EQ(body["checks"]["started"]["detail"], "recovering");

  started.set(true, "serving");
  EXPECT_EQ(httpGet(port, "/startupz")->status, 200);
  EXPECT_EQ(httpGet(port, "/readyz")->status, 200);
  database.set(false, "connection refused");
  ready = httpGet(port, "/readyz");
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(nlohmann::json::parse(ready->body)["checks"]["database"]["detail"],
            "connection refused");
  EXPECT_EQ(httpGet(port, "/nothing-here")->status, 404);
}

TEST(Observability, AHeartbeatCheckFailsWhenTheLoopStopsTurning) {
  Heartbeat loop(1000);
  EXPECT_FALSE(loop.state(5000).ok) << "no beat yet";
  loop.beat(5000);
  EXPECT_TRUE(loop.state(5900).ok);
  EXPECT_FALSE(loop.state(6001).ok);
}

TEST(Observability, AnAddressThatIsNotHostPortOrIsTakenIsAnError) {
  Observability obs("test");
  EXPECT_EQ(obs.serve("9100").status().code(), StatusCode::kInvalidArgument);
  auto first = obs.serve("127.0.0.1:0");
  ASSERT_TRUE(first.isOk());
  EXPECT_FALSE(obs.serve("127.0.0.1:" + std::to_string(first.value()->port())).isOk());
  auto none = obs.serve("");
  ASSERT_TRUE(none.isOk());
  EXPECT_EQ(none.value(), nullptr) << "empty means: do not serve";
}

TEST(AtomicHistogram, CountsEachObservationInTheFirstBucketThatHoldsIt) {
  const std::vector<double> bounds = {1, 2};
  AtomicHistogram histogram(bounds);
  histogram.observe(1);  // le="1" includes 1
  histogram.observe(1.5);
  histogram.observe(2.5);
  const auto read = histogram.read();
  ASSERT_EQ(read.bucket.size(), 3u);
  EXPECT_EQ(read.bucket[0].cumulative_count, 1u);
  EXPECT_EQ(read.bucket[1].cumulative_count, 2u);
  EXPECT_EQ(read.bucket[2].cumulative_count, 3u);
  EXPECT_DOUBLE_EQ(read.sample_sum, 5);
}

}  // namespace
}  // namespace gantry::obs
