#include "send_span.h"

#include <string>

#include "gantry/common/job_spec.h"
#include "gantry/trace/messaging.h"

namespace gantry {

trace::Span startSendSpan(trace::Tracer& tracer, std::vector<wire::JobSpec>& specs) {
  if (specs.empty()) {
    return {};
  }
  const std::string given = specs.front().traceparent();
  trace::StartOptions options;
  options.parent = trace::SpanContext::fromTraceparent(given);
  // One queue names the span; a request spanning queues is just "send".
  const std::string& first_queue = specs.front().queue();
  bool one_queue = true;
  for (const auto& spec : specs) {
    one_queue = one_queue && spec.queue() == first_queue;
  }
  const std::string queue =
      one_queue ? (first_queue.empty() ? std::string(kDefaultQueue) : first_queue) : "";
  trace::Span span =
      trace::startMessagingSpan(tracer, trace::kSendOperation, queue, std::move(options));
  if (span.recording() && specs.size() > 1) {
    span.setAttribute("messaging.batch.message_count", static_cast<int64_t>(specs.size()));
  }
  if (span.context().valid()) {
    const std::string traceparent = span.context().traceparent();
    for (auto& spec : specs) {
      if (spec.traceparent().empty() || spec.traceparent() == given) {
        spec.set_traceparent(traceparent);
      }
    }
  }
  return span;
}

}  // namespace gantry
