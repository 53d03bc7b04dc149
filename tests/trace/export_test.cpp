// End to end: spans exported by a Tracer, as the test receiver decodes them
// with the official OTLP definitions.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "gantry/trace/tracer.h"
#include "support/otlp_receiver.h"
#include "trace_harness.h"

namespace gantry::trace {
namespace {

using nlohmann::json;
using test::OtlpReceiver;
using test::spansNamed;

constexpr auto kWait = std::chrono::seconds(20);

json only(const std::vector<json>& spans, const std::string& name) {
  auto named = spansNamed(spans, name);
  EXPECT_EQ(named.size(), 1u) << name;
  return named.empty() ? json::object() : named.front();
}

TEST(Export, SpansArriveWithParentsLinksAttributesStatusAndResource) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());
  config.service_name = "gantry-test";
  config.resource_attributes = "deployment.environment=staging%20eu,team=core";
  Tracer tracer(config, "ignored-default");

  const auto remote =
      SpanContext::fromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  Span root = tracer.startSpan("job.submit", SpanKind::kServer,
                               {.parent = remote, .start_unix_ns = 1'700'000'000'000'000'000});
  root.setAttribute("gantry.queue", "default");
  root.setAttribute("gantry.attempt", int64_t{3});
  root.setAttribute("gantry.weight", 0.5);
  root.setAttribute("gantry.retry", true);
  root.setAttribute("gantry.attempt", int64_t{4});  // replaces
  const SpanId chosen = newSpanId();
  Span child = tracer.startSpan("job.run", SpanKind::kConsumer,
                                {.parent = root.context(), .span_id = chosen});
  child.end();
  Span failed = tracer.startSpan("job.batch", SpanKind::kInternal, {.links = {root.context()}});
  failed.addLink(child.context());
  failed.setError("handler crashed");
  failed.end();
  root.end(1'700'000'000'500'000'000);
  tracer.flush(kWait);
  EXPECT_EQ(tracer.exportedSpans(), 3u);
  EXPECT_EQ(tracer.droppedSpans(), 0u);

  const auto spans = receiver.waitForSpans(3, kWait);
  ASSERT_EQ(spans.size(), 3u) << receiver.log();
  const json r = only(spans, "job.submit");
  const json c = only(spans, "job.run");
  const json f = only(spans, "job.batch");

  EXPECT_EQ(r["kind"], 2);
  EXPECT_EQ(r["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(r["parent_span_id"], "00f067aa0ba902b7");
  EXPECT_EQ(r["span_id"], root.context().spanIdHex());
  EXPECT_EQ(r["start_ns"], 1'700'000'000'000'000'000);
  EXPECT_EQ(r["end_ns"], 1'700'000'000'500'000'000);
  EXPECT_EQ(r["attributes"], (json{{"gantry.queue", "default"},
                                   {"gantry.attempt", 4},
                                   {"gantry.weight", 0.5},
                                   {"gantry.retry", true}}));
  EXPECT_EQ(r["status"]["code"], 0);
  EXPECT_EQ(r["flags"], 1);

  EXPECT_EQ(c["kind"], 5);
  EXPECT_EQ(c["trace_id"], r["trace_id"]);
  EXPECT_EQ(c["parent_span_id"], r["span_id"]);
  EXPECT_EQ(c["span_id"], (SpanContext{{}, chosen, true}.spanIdHex()));
  EXPECT_LE(c["start_ns"].get<uint64_t>(), c["end_ns"].get<uint64_t>());

  EXPECT_EQ(f["kind"], 1);
  EXPECT_EQ(f["parent_span_id"], "");
  EXPECT_NE(f["trace_id"], r["trace_id"]);  // a root of its own
  const json links = json::array({{{"trace_id", r["trace_id"]}, {"span_id", r["span_id"]}},
                                  {{"trace_id", c["trace_id"]}, {"span_id", c["span_id"]}}});
  EXPECT_EQ(f["links"], links);
  EXPECT_EQ(f["status"], (json{{"code", 2}, {"message", "handler crashed"}}));
  EXPECT_EQ(f["events"], json::array({"exception"}));
  EXPECT_EQ(f["event_attributes"][0]["exception.message"], "handler crashed");

  for (const json& span : spans) {
    EXPECT_EQ(span["scope"], "gantry");
    const json& resource = span["resource"];
    EXPECT_EQ(resource["service.name"], "gantry-test");
    EXPECT_EQ(resource["deployment.environment"], "staging eu");
    EXPECT_EQ(resource["team"], "core");
    EXPECT_EQ(resource["telemetry.sdk.name"], "gantry");
    EXPECT_EQ(resource["telemetry.sdk.language"], "cpp");
    EXPECT_EQ(resource["process.pid"], static_cast<int64_t>(::getpid()));
    EXPECT_FALSE(resource.value("host.name", "").empty());
    EXPECT_EQ(resource["service.instance.id"],
              resource.value("host.name", "") + "-" + std::to_string(::getpid()));
  }
}

TEST(Export, ServiceNameFromResourceAttributesThenTheDefault) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());
  config.service_name.clear();
  config.resource_attributes = "service.name=from-attributes";
  Tracer(config, "the-default").startSpan("a", SpanKind::kInternal).end();
  config.resource_attributes.clear();
  Tracer(config, "the-default").startSpan("b", SpanKind::kInternal).end();
  // Each Tracer's destructor exported its span.
  const auto spans = receiver.spans();
  ASSERT_EQ(spans.size(), 2u) << receiver.log();
  EXPECT_EQ(only(spans, "a")["resource"]["service.name"], "from-attributes");
  EXPECT_EQ(only(spans, "b")["resource"]["service.name"], "the-default");
}

TEST(Export, PostsProtobufWithTheConfiguredHeaders) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());
  config.headers = "x-gantry-token=abc%20def, x-tenant = blue";
  Tracer tracer(config, "test");
  tracer.startSpan("s", SpanKind::kInternal).end();
  tracer.flush(kWait);
  const auto requests = receiver.waitForRequests(1, kWait);
  ASSERT_EQ(requests.size(), 1u) << receiver.log();
  EXPECT_EQ(requests[0]["path"], "/v1/traces");
  EXPECT_EQ(requests[0]["content_type"], "application/x-protobuf");
  EXPECT_EQ(requests[0]["headers"]["x-gantry-token"], "abc def");
  EXPECT_EQ(requests[0]["headers"]["x-tenant"], "blue");
}

TEST(Export, AFullBatchIsSentWithoutWaitingForTheSchedule) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());  // a 60 s schedule delay
  config.max_batch_spans = 5;
  Tracer tracer(config, "test");
  for (int i = 0; i < 5; ++i) {
    tracer.startSpan("batched", SpanKind::kInternal).end();
  }
  EXPECT_EQ(receiver.waitForSpans(5, kWait).size(), 5u) << receiver.log();
}

TEST(Export, QueuedSpansAreSentOnTheSchedule) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());
  config.schedule_delay_ms = 50;
  Tracer tracer(config, "test");
  tracer.startSpan("scheduled", SpanKind::kInternal).end();
  EXPECT_EQ(receiver.waitForSpans(1, kWait).size(), 1u) << receiver.log();
}

TEST(Export, UnsampledSpansAreNotSent) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());
  config.sample_ratio = 0.0;
  Tracer tracer(config, "test");
  Span root = tracer.startSpan("unsampled-root", SpanKind::kServer);
  tracer.startSpan("unsampled-child", SpanKind::kInternal, {.parent = root.context()}).end();
  root.end();
  // A sampled parent (from another process) still makes a recorded child.
  const SpanContext sampled{newTraceId(), newSpanId(), true};
  tracer.startSpan("sampled-child", SpanKind::kInternal, {.parent = sampled}).end();
  tracer.flush(kWait);
  const auto spans = receiver.waitForSpans(1, kWait);
  ASSERT_EQ(spans.size(), 1u) << receiver.log();
  EXPECT_EQ(spans[0]["name"], "sampled-child");
}

TEST(Export, SpansFromManyThreadsAreAllAccountedFor) {
  OtlpReceiver receiver;
  TracerConfig config = testConfig(receiver.endpoint());
  config.max_queue_spans = 4096;
  config.max_batch_spans = 256;
  Tracer tracer(config, "test");
  constexpr int kThreads = 4;
  constexpr int kSpansEach = 500;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kSpansEach; ++i) {
        Span span = tracer.startSpan("threaded", SpanKind::kInternal);
        span.setAttribute("i", int64_t{i});
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  tracer.flush(kWait);
  EXPECT_EQ(tracer.exportedSpans() + tracer.droppedSpans(), uint64_t{kThreads} * kSpansEach);
  EXPECT_EQ(receiver.waitForSpans(tracer.exportedSpans(), kWait).size(), tracer.exportedSpans());
}

}  // namespace
}  // namespace gantry::trace
