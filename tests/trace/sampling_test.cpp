// Which spans a Tracer records, and that every span it starts carries a
// context to propagate, recorded or not. No collector: the exporter is
// pointed at a closed port and these tests never wait for it.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "gantry/trace/tracer.h"
#include "trace_harness.h"

namespace gantry::trace {
namespace {

class Sampling : public testing::Test {
 protected:
  TracerConfig config(double ratio, bool follow_parent = true) const {
    TracerConfig c = testConfig(down_.endpoint());
    c.sample_ratio = ratio;
    c.follow_parent = follow_parent;
    return c;
  }

  // A parent context whose trace id's lower 8 bytes are `low` (big-endian).
  static SpanContext parentWithLowBits(uint64_t low, bool sampled) {
    SpanContext parent{newTraceId(), newSpanId(), sampled};
    for (int i = 15; i >= 8; --i) {
      parent.trace_id.bytes[i] = static_cast<uint8_t>(low);
      low >>= 8;
    }
    return parent;
  }

  TestSocket down_{false};
};

TEST_F(Sampling, RatioOneRecordsEveryRoot) {
  Tracer tracer(config(1.0), "test");
  ASSERT_TRUE(tracer.enabled());
  for (int i = 0; i < 100; ++i) {
    Span span = tracer.startSpan("root", SpanKind::kInternal);
    EXPECT_TRUE(span.recording());
    EXPECT_TRUE(span.context().valid());
    EXPECT_TRUE(span.context().sampled);
  }
  EXPECT_EQ(tracer.queuedSpans(), 100u);
}

TEST_F(Sampling, RatioZeroRecordsNothingButStillPropagates) {
  Tracer tracer(config(0.0), "test");
  std::set<std::string> span_ids;
  for (int i = 0; i < 100; ++i) {
    Span span = tracer.startSpan("root", SpanKind::kInternal);
    span.setAttribute("ignored", int64_t{1});
    span.setError("ignored");
    EXPECT_FALSE(span.recording());
    ASSERT_TRUE(span.context().valid());
    EXPECT_FALSE(span.context().sampled);
    EXPECT_EQ(span.context().traceparent().substr(52), "-00");
    span_ids.insert(span.context().spanIdHex());
  }
  EXPECT_EQ(span_ids.size(), 100u);
  EXPECT_EQ(tracer.queuedSpans(), 0u);
  EXPECT_EQ(tracer.droppedSpans(), 0u);
}

TEST_F(Sampling, ChildrenFollowTheParentsFlag) {
  Tracer never(config(0.0), "test");
  const SpanContext sampled_parent{newTraceId(), newSpanId(), true};
  Span child = never.startSpan("child", SpanKind::kServer, {.parent = sampled_parent});
  EXPECT_TRUE(child.recording());
  EXPECT_EQ(child.context().trace_id, sampled_parent.trace_id);

  Tracer always(config(1.0), "test");
  const SpanContext unsampled_parent{newTraceId(), newSpanId(), false};
  Span skipped = always.startSpan("child", SpanKind::kServer, {.parent = unsampled_parent});
  EXPECT_FALSE(skipped.recording());
  // Not recorded, yet the trace goes on through it with a span id of its own.
  ASSERT_TRUE(skipped.context().valid());
  EXPECT_EQ(skipped.context().trace_id, unsampled_parent.trace_id);
  EXPECT_NE(skipped.context().span_id, unsampled_parent.span_id);
  EXPECT_FALSE(skipped.context().sampled);
}

TEST_F(Sampling, TraceIdRatioComparesTheLowerEightBytes) {
  // Not parent-based, so the ratio decides even for children.
  Tracer half(config(0.5, false), "test");
  const uint64_t just_below = (uint64_t{1} << 63) - 1;
  const uint64_t at_bound = uint64_t{1} << 63;
  EXPECT_TRUE(
      half.startSpan("s", SpanKind::kInternal, {.parent = parentWithLowBits(just_below, false)})
          .recording());
  EXPECT_FALSE(
      half.startSpan("s", SpanKind::kInternal, {.parent = parentWithLowBits(at_bound, true)})
          .recording());
  Tracer quarter(config(0.25, false), "test");
  EXPECT_TRUE(quarter.startSpan("s", SpanKind::kInternal, {.parent = parentWithLowBits(1, false)})
                  .recording());
  EXPECT_FALSE(
      quarter.startSpan("s", SpanKind::kInternal, {.parent = parentWithLowBits(just_below, true)})
          .recording());
}

TEST_F(Sampling, RatioHalfRecordsAboutHalfOfTheRoots) {
  Tracer tracer(config(0.5), "test");
  int recorded = 0;
  int stamped = 0;
  constexpr int kRoots = 4000;
  for (int i = 0; i < kRoots; ++i) {
    recorded += tracer.startSpan("root", SpanKind::kInternal).recording() ? 1 : 0;
    stamped += tracer.newRootContext().sampled ? 1 : 0;
  }
  // Binomial, sd ~32: these bounds are about 12 standard deviations away.
  EXPECT_GT(recorded, 1600);
  EXPECT_LT(recorded, 2400);
  EXPECT_GT(stamped, 1600);
  EXPECT_LT(stamped, 2400);
}

TEST_F(Sampling, NewRootContextIsFreshAndFollowsTheRatio) {
  Tracer always(config(1.0), "test");
  const SpanContext a = always.newRootContext();
  const SpanContext b = always.newRootContext();
  EXPECT_TRUE(a.valid());
  EXPECT_TRUE(a.sampled);
  EXPECT_NE(a.trace_id, b.trace_id);
  Tracer never(config(0.0), "test");
  EXPECT_TRUE(never.newRootContext().valid());
  EXPECT_FALSE(never.newRootContext().sampled);
  EXPECT_EQ(always.queuedSpans(), 0u);  // no span was created
}

TEST_F(Sampling, GivenSpanIdIsUsedAndAZeroOneIgnored) {
  Tracer tracer(config(1.0), "test");
  const SpanId chosen = newSpanId();
  EXPECT_EQ(tracer.startSpan("s", SpanKind::kClient, {.span_id = chosen}).context().span_id,
            chosen);
  Tracer unsampled(config(0.0), "test");
  EXPECT_EQ(unsampled.startSpan("s", SpanKind::kClient, {.span_id = chosen}).context().span_id,
            chosen);
  EXPECT_TRUE(
      tracer.startSpan("s", SpanKind::kClient, {.span_id = SpanId{}}).context().span_id.valid());
}

TEST_F(Sampling, InvalidParentStartsANewTrace) {
  Tracer tracer(config(1.0), "test");
  Span span = tracer.startSpan("s", SpanKind::kInternal, {.parent = SpanContext{}});
  EXPECT_TRUE(span.recording());
  EXPECT_TRUE(span.context().valid());
}

TEST(DisabledTracer, RecordsNothingAndPassesTheParentThrough) {
  Tracer tracer(TracerConfig{}, "test");
  EXPECT_FALSE(tracer.enabled());
  Span root = tracer.startSpan("root", SpanKind::kServer);
  EXPECT_FALSE(root.recording());
  EXPECT_FALSE(root.context().valid());
  EXPECT_FALSE(tracer.newRootContext().valid());

  const SpanContext parent{newTraceId(), newSpanId(), true};
  Span child = tracer.startSpan("child", SpanKind::kServer, {.parent = parent});
  EXPECT_FALSE(child.recording());
  EXPECT_EQ(child.context(), parent);
  tracer.flush(std::chrono::milliseconds(0));
  EXPECT_EQ(tracer.droppedSpans(), 0u);
  EXPECT_EQ(tracer.exportedSpans(), 0u);
}

TEST(DisabledTracer, InvalidConfigLeavesTracingOff) {
  TracerConfig config;
  config.endpoint = "not a url";
  Tracer tracer(config, "test");
  EXPECT_FALSE(tracer.enabled());
}

TEST_F(Sampling, EachSpanIsQueuedOnceHoweverItEnds) {
  Tracer tracer(config(1.0), "test");
  Span first = tracer.startSpan("first", SpanKind::kInternal);
  first.end();
  first.end();
  first.end(12345);
  EXPECT_FALSE(first.recording());
  EXPECT_TRUE(first.context().valid());
  EXPECT_EQ(tracer.queuedSpans(), 1u);

  Span second = tracer.startSpan("second", SpanKind::kInternal);
  Span moved(std::move(second));
  EXPECT_TRUE(moved.recording());
  Span third = tracer.startSpan("third", SpanKind::kInternal);
  third = std::move(moved);  // ends "third"
  EXPECT_EQ(tracer.queuedSpans(), 2u);
  { Span scoped = std::move(third); }  // ends "second"
  EXPECT_EQ(tracer.queuedSpans(), 3u);
}

TEST_F(Sampling, ASpanOutlivingItsTracerIsDroppedSafely) {
  auto tracer = std::make_unique<Tracer>(config(1.0), "test");
  Span span = tracer->startSpan("late", SpanKind::kInternal);
  tracer.reset();
  span.setAttribute("still", true);
  span.end();
  EXPECT_FALSE(span.recording());
}

}  // namespace
}  // namespace gantry::trace
