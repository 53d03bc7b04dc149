#include "gantry/broker/server/broker_tracing.h"

#include "gantry/common/job_spec.h"
#include "gantry/trace/messaging.h"

namespace gantry::broker {
namespace {

constexpr int64_t kNanosPerMs = 1'000'000;

const std::string& queueName(const wire::JobSpec& spec) {
  static const std::string kDefault(kDefaultQueue);
  return spec.queue().empty() ? kDefault : spec.queue();
}

}  // namespace

std::vector<trace::Span> BrokerTracing::startEnqueue(const wire::SubmitRequest& request) {
  std::vector<trace::Span> spans;
  if (!tracer_.enabled()) {
    return spans;
  }
  for (int i = 0; i < request.jobs_size(); ++i) {
    const wire::JobSpec& spec = request.jobs(i);
    if (spec.traceparent().empty()) {
      continue;
    }
    auto parent = trace::SpanContext::fromTraceparent(spec.traceparent());
    if (!parent || !parent->sampled) {
      continue;
    }
    spans.resize(request.jobs_size());
    spans[i] = trace::startMessagingSpan(tracer_, trace::kEnqueueOperation, queueName(spec),
                                         {.parent = *parent});
    if (spans[i].recording()) {
      spans[i].setAttribute("gantry.job.kind", spec.kind());
    }
  }
  return spans;
}

void BrokerTracing::accepted(std::vector<trace::Span>& spans, const wire::SubmitReply& reply) {
  for (size_t i = 0; i < spans.size() && i < static_cast<size_t>(reply.ids_size()); ++i) {
    trace::setMessageId(spans[i], reply.ids(static_cast<int>(i)));
    if (spans[i].recording() && i < static_cast<size_t>(reply.duplicate_size()) &&
        reply.duplicate(static_cast<int>(i))) {
      spans[i].setAttribute("gantry.job.duplicate", true);
    }
  }
}

void BrokerTracing::refused(std::vector<trace::Span>& spans, const std::string& error) {
  for (trace::Span& span : spans) {
    span.setError(error);
    span.end();
  }
}

void BrokerTracing::dispatched(const wire::Assign& assign, Now now) {
  if (!tracer_.enabled() || assign.dispatch_span_id() == 0) {
    return;
  }
  const wire::Job& job = assign.job();
  auto parent = trace::SpanContext::fromTraceparent(job.spec().traceparent());
  if (!parent || !parent->sampled) {
    return;
  }
  // Due at run_at (its submit time unless delayed or retried), never later
  // than now across a clock step.
  const TimeMs due_ms = std::min<TimeMs>(
      job.spec().run_at_ms() != 0 ? job.spec().run_at_ms() : job.created_at_ms(), now.wall_ms);
  trace::Span span =
      trace::startMessagingSpan(tracer_, trace::kDispatchOperation, queueName(job.spec()),
                                {.parent = *parent,
                                 .span_id = trace::SpanId::fromNumber(assign.dispatch_span_id()),
                                 .start_unix_ns = due_ms * kNanosPerMs});
  trace::setMessageId(span, job.id());
  if (span.recording()) {
    span.setAttribute("gantry.job.kind", job.spec().kind());
    span.setAttribute("gantry.job.attempt", static_cast<int64_t>(job.attempt()));
  }
  span.end(now.wall_ms * kNanosPerMs);
}

}  // namespace gantry::broker
