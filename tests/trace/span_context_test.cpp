// W3C traceparent: what parses, what is rejected, and that formatting
// round-trips; fresh ids are valid and distinct.
#include "gantry/trace/span_context.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gantry::trace {
namespace {

constexpr char kTraceHex[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSpanHex[] = "00f067aa0ba902b7";

std::string traceparent(const std::string& version, const std::string& flags) {
  return version + "-" + kTraceHex + "-" + kSpanHex + "-" + flags;
}

TEST(SpanContext, ParsesAndFormatsVersion00) {
  const std::string text = traceparent("00", "01");
  const auto context = SpanContext::fromTraceparent(text);
  ASSERT_TRUE(context.has_value());
  EXPECT_TRUE(context->valid());
  EXPECT_TRUE(context->sampled);
  EXPECT_EQ(context->trace_id.bytes[0], 0x4b);
  EXPECT_EQ(context->trace_id.bytes[15], 0x36);
  EXPECT_EQ(context->span_id.bytes[0], 0x00);
  EXPECT_EQ(context->span_id.bytes[7], 0xb7);
  EXPECT_EQ(context->traceIdHex(), kTraceHex);
  EXPECT_EQ(context->spanIdHex(), kSpanHex);
  EXPECT_EQ(context->traceparent(), text);
}

TEST(SpanContext, SampledFlagIsTheLowBitOnly) {
  const auto unsampled = SpanContext::fromTraceparent(traceparent("00", "00"));
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_FALSE(unsampled->sampled);
  EXPECT_EQ(unsampled->traceparent(), traceparent("00", "00"));

  // Unknown flag bits are accepted and not propagated.
  const auto other_bits = SpanContext::fromTraceparent(traceparent("00", "fb"));
  ASSERT_TRUE(other_bits.has_value());
  EXPECT_TRUE(other_bits->sampled);
  EXPECT_EQ(other_bits->traceparent(), traceparent("00", "01"));
  const auto high_bits = SpanContext::fromTraceparent(traceparent("00", "fe"));
  ASSERT_TRUE(high_bits.has_value());
  EXPECT_FALSE(high_bits->sampled);
}

TEST(SpanContext, FreshContextsRoundTrip) {
  for (int i = 0; i < 100; ++i) {
    const SpanContext context{newTraceId(), newSpanId(), i % 2 == 0};
    const auto parsed = SpanContext::fromTraceparent(context.traceparent());
    ASSERT_TRUE(parsed.has_value()) << context.traceparent();
    EXPECT_EQ(*parsed, context);
  }
}

TEST(SpanContext, FutureVersionsParseAsVersion00) {
  const auto same_length = SpanContext::fromTraceparent(traceparent("01", "01"));
  ASSERT_TRUE(same_length.has_value());
  EXPECT_EQ(same_length->traceIdHex(), kTraceHex);
  // A later version may append fields after a '-'.
  const auto longer = SpanContext::fromTraceparent(traceparent("cc", "01") + "-what-comes-next");
  ASSERT_TRUE(longer.has_value());
  EXPECT_TRUE(longer->sampled);
  // Formatting always writes version 00.
  EXPECT_EQ(longer->traceparent(), traceparent("00", "01"));
}

TEST(SpanContext, DefaultIsInvalid) {
  EXPECT_FALSE(SpanContext{}.valid());
  EXPECT_FALSE(TraceId{}.valid());
  EXPECT_FALSE(SpanId{}.valid());
}

class MalformedTraceparent : public testing::TestWithParam<std::string> {};

TEST_P(MalformedTraceparent, IsRejected) {
  EXPECT_EQ(SpanContext::fromTraceparent(GetParam()), std::nullopt) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    SpanContext, MalformedTraceparent,
    testing::Values(
        "", "00", traceparent("00", "0"),                  // too short
        traceparent("00", "01") + "-",                     // version 00 has nothing after flags
        traceparent("00", "01") + "0",                     // too long
        traceparent("cc", "01") + "x",                     // a future field not after '-'
        traceparent("ff", "01"),                           // version ff is forbidden
        traceparent("0g", "01"), traceparent("0A", "01"),  // version not lowercase hex
        traceparent("00", "0G"), traceparent("00", "0A"),  // flags not lowercase hex
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",  // uppercase span id
        "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",  // non-hex trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",  // non-hex span id
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero span id
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // wrong separators
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e47-3600f067aa0ba902b7-01",  // separator misplaced
        " " + traceparent("00", "01"),                              // whitespace is not trimmed
        traceparent("00", "01") + " "));

TEST(SpanContext, NewIdsAreValidAndDistinct) {
  std::set<std::string> traces;
  std::set<std::string> spans;
  for (int i = 0; i < 1000; ++i) {
    const SpanContext context{newTraceId(), newSpanId(), true};
    ASSERT_TRUE(context.valid());
    traces.insert(context.traceIdHex());
    spans.insert(context.spanIdHex());
  }
  EXPECT_EQ(traces.size(), 1000u);
  EXPECT_EQ(spans.size(), 1000u);
}

}  // namespace
}  // namespace gantry::trace

namespace gantry::trace {
namespace {

TEST(SpanId, NumbersAreTheBigEndianBytes) {
  const SpanId id = SpanId::fromNumber(0x0102030405060708ULL);
  EXPECT_EQ((SpanContext{TraceId{}, id, false}.spanIdHex()), "0102030405060708");
  EXPECT_EQ(id.number(), 0x0102030405060708ULL);
  EXPECT_FALSE(SpanId::fromNumber(0).valid());
}

}  // namespace
}  // namespace gantry::trace
