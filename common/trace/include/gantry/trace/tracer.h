// The tracing entry point of a Gantry process: starts spans and exports the
// sampled ones with OTLP over HTTP (protobuf) to an OpenTelemetry collector.
//
// Wiring, in a main():
//   auto config = trace::tracerConfigFromEnvironment({});
//   if (!config) { print config.status().message(); return 2; }
//   trace::Tracer tracer(*config, "gantry-worker");
//   ...
//   trace::Span span = tracer.startSpan("job.run", trace::SpanKind::kConsumer,
//                                       {.parent = SpanContext::fromTraceparent(job.traceparent)});
//   span.setAttribute("gantry.job_id", job.id);
//   ...  // span.end() or its destructor
//
// Export: ending a recording span moves its data into a bounded queue (a
// short critical section; the caller never waits on I/O). One exporter
// thread sends the queue in batches every schedule_delay_ms, or sooner when
// a batch is full. A full queue, a failed export (after bounded retries of
// 429/502/503/504) or an unreachable collector drops spans and counts them
// in droppedSpans(); memory stays bounded by max_queue_spans. Failures are
// logged at warn at most once per 30 s; export headers never are.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/clock.h"
#include "gantry/trace/span.h"
#include "gantry/trace/span_context.h"
#include "gantry/trace/tracer_config.h"

namespace gantry::trace {

struct StartOptions {
  // The span this one is a child of, often parsed from a traceparent. None
  // (or an invalid context): a root span of a new trace, sampled by ratio.
  std::optional<SpanContext> parent{};
  // The id to give the span instead of a random one, e.g. the span id a
  // broker allocated for a dispatch and already sent to the worker. Ignored
  // when invalid (all zero).
  std::optional<SpanId> span_id{};
  // Start time, nanoseconds since the Unix epoch; 0 = now.
  int64_t start_unix_ns = 0;
  // Links to other spans (invalid contexts are ignored).
  std::vector<SpanContext> links{};
};

class Exporter;  // src/exporter.h

class Tracer {
 public:
  // Starts the exporter thread when config.enabled(). A disabled tracer
  // records nothing and costs a branch per startSpan. REQUIRES:
  // validate(config).isOk(); an invalid config is logged and leaves the
  // tracer disabled. `clock` times export deadlines, retries and the warning
  // rate limit; it must outlive the Tracer.
  Tracer(TracerConfig config, std::string default_service_name,
         Clock& clock = SystemClock::instance());
  // Stops taking spans, exports what is queued (in flight included) for at
  // most about export_timeout_ms, drops the rest, and joins the thread.
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  bool enabled() const { return exporter_ != nullptr; }

  // Thread-safe. A span with a parent joins the parent's trace and, with
  // follow_parent, is recorded exactly when the parent is sampled; a root
  // starts a new trace, recorded with probability sample_ratio (decided from
  // the trace id as OTel's TraceIdRatioBased sampler does). A span that is
  // not recorded still gets a valid context with a fresh span id. A disabled
  // tracer returns a non-recording span that carries the parent's context
  // unchanged (invalid for a root), as OTel's no-op API does.
  Span startSpan(std::string_view name, SpanKind kind, StartOptions options = {});

  // Decides sampling for a new root without creating a span (used to stamp
  // a context on a job): a fresh trace id and span id, sampled as a root
  // span would be. Invalid when the tracer is disabled. Thread-safe.
  SpanContext newRootContext() const;

  // Spans lost so far: queue full, export failed or rejected, collector
  // unreachable. Thread-safe.
  uint64_t droppedSpans() const;
  // Spans the collector accepted so far. Thread-safe.
  uint64_t exportedSpans() const;
  // Ended spans waiting in the queue now (never more than max_queue_spans).
  size_t queuedSpans() const;
  // For tests and shutdown: exports everything queued before the call and
  // waits until that is done (exported or dropped) or `timeout` passes.
  // Thread-safe; returns at once when disabled.
  void flush(std::chrono::milliseconds timeout);

 private:
  TracerConfig config_;
  std::unique_ptr<Exporter> exporter_;  // null when disabled
};

}  // namespace gantry::trace
