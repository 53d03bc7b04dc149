// One timed operation in a trace. A Span comes from Tracer::startSpan and is
// ended once, by end() or by its destructor; ending a recording span hands
// its data to the tracer's exporter queue without waiting (see tracer.h).
//
// A Span that is not recording (default-constructed, started by a disabled
// tracer, or not sampled) allocates nothing and ignores every setter, but its
// context() is still what to propagate, so a trace stays connected through
// processes and spans that do not record.
//
// Move-only; not thread-safe: one thread uses a given Span at a time. A
// recording Span may outlive its Tracer: ending it then drops its data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "gantry/trace/span_context.h"

namespace gantry::trace {

// The OTLP values of Span.SpanKind.
enum class SpanKind : int { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };

using AttributeValue = std::variant<std::string, int64_t, double, bool>;

namespace detail {
struct SpanRecord;  // what a recording span collects; src/span_record.h
}  // namespace detail

class Span {
 public:
  // Not recording, with an invalid context.
  Span();
  ~Span();  // ends the span if it has not been ended
  Span(Span&& other) noexcept;
  // Ends the span this one held, then takes over `other`.
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  // True from start until end() for a sampled span of an enabled tracer.
  bool recording() const { return record_ != nullptr; }
  // Valid for every span a tracer started, recording or not; stays valid
  // after end().
  const SpanContext& context() const { return context_; }

  // Sets or replaces an attribute. Past 128 distinct keys further keys are
  // dropped (and counted in OTLP's dropped_attributes_count). No-op when not
  // recording.
  void setAttribute(std::string key, AttributeValue value);
  // Links this span to another (e.g. the spans of the jobs a batch consumed).
  // Invalid contexts are ignored; past 128 links they are dropped and counted.
  void addLink(const SpanContext& linked);
  // Status ERROR with `message`, plus an "exception" event with attribute
  // exception.message, as OTel's semantic conventions record errors. A later
  // call replaces the status message and adds another event.
  void setError(std::string_view message);

  // Ends the span now. Idempotent: only the first end counts.
  void end();
  // Ends the span at a given wall time (nanoseconds since the Unix epoch),
  // e.g. one measured elsewhere. Idempotent.
  void end(int64_t end_unix_ns);

 private:
  friend class Tracer;
  explicit Span(const SpanContext& context);
  Span(const SpanContext& context, std::unique_ptr<detail::SpanRecord> record);

  SpanContext context_;
  std::unique_ptr<detail::SpanRecord> record_;  // null when not recording or ended
};

}  // namespace gantry::trace
