#include "gantry/trace/messaging.h"

namespace gantry::trace {

Span startMessagingSpan(Tracer& tracer, const MessagingOperation& operation, std::string_view queue,
                        StartOptions options) {
  std::string name(operation.name);
  if (!queue.empty()) {
    name += ' ';
    name += queue;
  }
  Span span = tracer.startSpan(name, operation.kind, std::move(options));
  if (span.recording()) {
    span.setAttribute("messaging.system", std::string("gantry"));
    span.setAttribute("messaging.operation.name", std::string(operation.name));
    if (!operation.type.empty()) {
      span.setAttribute("messaging.operation.type", std::string(operation.type));
    }
    if (!queue.empty()) {
      span.setAttribute("messaging.destination.name", std::string(queue));
    }
  }
  return span;
}

void setMessageId(Span& span, uint64_t job_id) {
  if (span.recording()) {
    span.setAttribute("messaging.message.id", std::to_string(job_id));
  }
}

}  // namespace gantry::trace
