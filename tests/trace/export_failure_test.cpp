// When the collector is down, hangs, refuses or is busy: spans are dropped
// and counted, retries stay within the export timeout, the queue stays
// bounded, callers never wait and the destructor returns within its bound.
#include <gtest/gtest.h>

#include <memory>

#include "gantry/trace/tracer.h"
#include "support/otlp_receiver.h"
#include "trace_harness.h"

namespace gantry::trace {
namespace {

using test::OtlpReceiver;
using test::OtlpReceiverOptions;

constexpr auto kWait = std::chrono::seconds(20);
// Slack over a configured export timeout for a destructor on a loaded host.
constexpr auto kSlack = std::chrono::seconds(5);

void endSpans(Tracer& tracer, int n) {
  for (int i = 0; i < n; ++i) {
    tracer.startSpan("s", SpanKind::kInternal).end();
  }
}

TEST(ExportFailure, CollectorDownDropsAndCountsWithABoundedQueue) {
  TestSocket down(false);
  TracerConfig config = testConfig(down.endpoint());
  config.max_queue_spans = 64;
  config.max_batch_spans = 16;
  config.schedule_delay_ms = 10;
  config.export_timeout_ms = 1000;
  auto tracer = std::make_unique<Tracer>(config, "test");
  constexpr int kSpans = 2000;
  for (int i = 0; i < kSpans; ++i) {
    tracer->startSpan("s", SpanKind::kInternal).end();
    ASSERT_LE(tracer->queuedSpans(), 64u);
  }
  tracer->flush(kWait);
  EXPECT_EQ(tracer->droppedSpans(), uint64_t{kSpans});
  EXPECT_EQ(tracer->exportedSpans(), 0u);
  endSpans(*tracer, 10);  // left queued for the destructor, which cannot send them
  EXPECT_TRUE(destroyedWithin(std::move(tracer),
                              std::chrono::milliseconds(config.export_timeout_ms) + kSlack));
}

TEST(ExportFailure, Collector503IsRetriedThenDropped) {
  OtlpReceiver receiver({.status = 503});
  TracerConfig config = testConfig(receiver.endpoint());
  config.export_timeout_ms = 1500;
  Tracer tracer(config, "test");
  endSpans(tracer, 10);
  tracer.flush(kWait);
  EXPECT_EQ(tracer.droppedSpans(), 10u);
  EXPECT_EQ(tracer.exportedSpans(), 0u);
  // Retries back off from 100 ms, so more than one attempt fits in 1.5 s.
  EXPECT_GE(receiver.requests().size(), 2u);
  EXPECT_TRUE(receiver.spans().empty());
}

TEST(ExportFailure, BusyCollectorIsRetriedUntilItAccepts) {
  OtlpReceiver receiver({.status = 503, .fail_first = 2});
  Tracer tracer(testConfig(receiver.endpoint()), "test");
  endSpans(tracer, 4);
  tracer.flush(kWait);
  EXPECT_EQ(tracer.exportedSpans(), 4u);
  EXPECT_EQ(tracer.droppedSpans(), 0u);
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_EQ(receiver.spans().size(), 4u);
}

TEST(ExportFailure, RetryAfterBeyondTheTimeoutDropsWithoutRetrying) {
  // Backoff alone would retry within 100 ms; Retry-After: 60 says not to.
  OtlpReceiver receiver({.status = 429, .retry_after_s = 60});
  TracerConfig config = testConfig(receiver.endpoint());
  config.export_timeout_ms = 3000;
  Tracer tracer(config, "test");
  endSpans(tracer, 3);
  tracer.flush(kWait);
  EXPECT_EQ(tracer.droppedSpans(), 3u);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(ExportFailure, OtherErrorStatusesDropWithoutRetrying) {
  OtlpReceiver receiver({.status = 400});
  Tracer tracer(testConfig(receiver.endpoint()), "test");
  endSpans(tracer, 3);
  tracer.flush(kWait);
  EXPECT_EQ(tracer.droppedSpans(), 3u);
  EXPECT_EQ(tracer.exportedSpans(), 0u);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(ExportFailure, PartiallyRejectedSpansCountAsDropped) {
  OtlpReceiver receiver({.reject_spans = 2});
  Tracer tracer(testConfig(receiver.endpoint()), "test");
  endSpans(tracer, 5);
  tracer.flush(kWait);
  EXPECT_EQ(tracer.exportedSpans(), 3u);
  EXPECT_EQ(tracer.droppedSpans(), 2u);
}

// The exporter is stuck sending a first batch to a collector that never
// answers; meanwhile the queue fills and the overflow is dropped at once.
TEST(ExportFailure, AFullQueueDropsTheOverflowWhileTheExporterIsStuck) {
  TestSocket hanging(true);
  constexpr size_t kQueue = 8;
  constexpr size_t kOverflow = 5;  // <= kQueue, see below
  TracerConfig config = testConfig(hanging.endpoint());
  config.max_queue_spans = kQueue;
  config.max_batch_spans = kQueue;
  config.export_timeout_ms = 2000;
  auto tracer = std::make_unique<Tracer>(config, "test");

  endSpans(*tracer, kQueue);  // a full batch: the exporter takes it and hangs
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (tracer->queuedSpans() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(tracer->queuedSpans(), 0u) << "the exporter never took the first batch";

  endSpans(*tracer, kQueue + kOverflow);
  EXPECT_LE(tracer->queuedSpans(), kQueue);
  // While the first batch hangs, exactly kOverflow are dropped here; should
  // it time out first, its kQueue >= kOverflow spans are dropped instead.
  EXPECT_GE(tracer->droppedSpans(), kOverflow);
  EXPECT_EQ(tracer->exportedSpans(), 0u);
  EXPECT_TRUE(destroyedWithin(std::move(tracer),
                              std::chrono::milliseconds(config.export_timeout_ms) + kSlack));
}

TEST(ExportFailure, DestructorGivesUpOnAHangingCollectorWithinTheTimeout) {
  TestSocket hanging(true);
  TracerConfig config = testConfig(hanging.endpoint());
  config.export_timeout_ms = 1000;
  auto tracer = std::make_unique<Tracer>(config, "test");
  endSpans(*tracer, 100);
  EXPECT_TRUE(destroyedWithin(std::move(tracer),
                              std::chrono::milliseconds(config.export_timeout_ms) + kSlack));
}

}  // namespace
}  // namespace gantry::trace
