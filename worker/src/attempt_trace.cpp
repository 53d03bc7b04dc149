#include "attempt_trace.h"

#include "gantry/common/job_state.h"
#include "gantry/trace/messaging.h"

namespace gantry::worker {

AttemptSpans attemptSpans(const wire::Assign& assign) {
  AttemptSpans spans;
  auto job_context = trace::SpanContext::fromTraceparent(assign.job().spec().traceparent());
  if (!job_context) {
    return spans;
  }
  spans.parent = *job_context;
  if (assign.dispatch_span_id() != 0) {
    spans.parent->span_id = trace::SpanId::fromNumber(assign.dispatch_span_id());
  }
  spans.self = *job_context;
  spans.self.span_id = assign.attempt_span_id() != 0
                           ? trace::SpanId::fromNumber(assign.attempt_span_id())
                           : trace::newSpanId();
  if (assign.previous_attempt_span_id() != 0) {
    spans.previous = *job_context;
    spans.previous->span_id = trace::SpanId::fromNumber(assign.previous_attempt_span_id());
  }
  return spans;
}

trace::Span startProcessSpan(trace::Tracer* tracer, const AttemptSpans& spans, const JobInfo& job) {
  if (tracer == nullptr || !spans.self.valid() || !spans.self.sampled) {
    return {};
  }
  trace::StartOptions options{.parent = spans.parent, .span_id = spans.self.span_id};
  if (spans.previous) {
    options.links.push_back(*spans.previous);
  }
  trace::Span span =
      trace::startMessagingSpan(*tracer, trace::kProcessOperation, job.queue, std::move(options));
  trace::setMessageId(span, job.job_id);
  if (span.recording()) {
    span.setAttribute("gantry.job.kind", job.kind);
    span.setAttribute("gantry.job.attempt", static_cast<int64_t>(job.attempt));
  }
  return span;
}

void endProcessSpan(trace::Span& span, const HandlerResult& result) {
  if (!span.recording()) {
    return;
  }
  span.setAttribute("gantry.job.outcome", std::string(outcomeName(result.outcome)));
  if (result.outcome != wire::OUTCOME_SUCCEEDED) {
    span.setError(result.error.empty() ? std::string(outcomeName(result.outcome)) : result.error);
    span.setAttribute("error.type", std::string(outcomeName(result.outcome)));
  }
  span.end();
}

}  // namespace gantry::worker
