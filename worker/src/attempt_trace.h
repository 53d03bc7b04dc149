// The worker's process span: one per attempt, a child of the broker's
// dispatch span, with the span id the broker allocated for it and a link
// to the attempt before (protocol.md, "Assign"; docs/observability.md).
#pragma once

#include <optional>

#include "gantry.pb.h"
#include "gantry/trace/span.h"
#include "gantry/trace/span_context.h"
#include "gantry/trace/tracer.h"
#include "gantry/worker/handler.h"

namespace gantry::worker {

struct AttemptSpans {
  std::optional<trace::SpanContext> parent;    // the dispatch span
  trace::SpanContext self;                     // the process span; invalid: not traced
  std::optional<trace::SpanContext> previous;  // the earlier attempt's process span
};

// Worked out on the I/O thread from the assignment: a job without a valid
// traceparent is not traced. Without span ids from the broker the process
// span is a child of the traceparent itself, with a fresh id.
AttemptSpans attemptSpans(const wire::Assign& assign);

// Starts the process span on the handler thread (non-recording when
// `tracer` is null or the trace is not sampled).
trace::Span startProcessSpan(trace::Tracer* tracer, const AttemptSpans& spans, const JobInfo& job);
// Records the outcome, and the error text as the span's status.
void endProcessSpan(trace::Span& span, const HandlerResult& result);

}  // namespace gantry::worker
