// What a recording span collects, from start to end; the exporter queue and
// the OTLP encoder take it by value. Internal to gantry_trace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gantry/trace/span.h"
#include "gantry/trace/span_context.h"

namespace gantry::trace {

class SpanQueue;

using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

// OTel's default span limits; what is past them is counted, not kept, so one
// runaway loop cannot make a span (and the queue) unbounded.
constexpr size_t kMaxSpanAttributes = 128;
constexpr size_t kMaxSpanLinks = 128;
constexpr size_t kMaxSpanEvents = 128;

struct SpanEvent {
  std::string name;
  int64_t time_unix_ns = 0;
  Attributes attributes;
};

struct SpanData {
  SpanContext context;
  SpanId parent_span_id;  // invalid for a root span
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_unix_ns = 0;
  int64_t end_unix_ns = 0;
  Attributes attributes;
  uint32_t dropped_attributes = 0;
  std::vector<SpanContext> links;
  uint32_t dropped_links = 0;
  std::vector<SpanEvent> events;
  uint32_t dropped_events = 0;
  bool error = false;
  std::string status_message;  // with error
};

// Wall time in nanoseconds since the Unix epoch. Span times need finer
// resolution than Clock's milliseconds, and they are only ever recorded,
// never compared against deadlines, so they read the system clock directly.
int64_t nowUnixNs();

// Adds or replaces `key`; counts it as dropped when the span already has
// kMaxSpanAttributes other keys.
void setAttribute(Attributes& attributes, uint32_t& dropped, std::string key, AttributeValue value);

namespace detail {

// The state behind a recording Span: its data, and the queue that takes it
// when it ends (shared, so a Span may outlive the Tracer).
struct SpanRecord {
  SpanData data;
  std::shared_ptr<SpanQueue> queue;
};

}  // namespace detail
}  // namespace gantry::trace
