// The OpenTelemetry messaging semantic conventions as Gantry's spans use
// them (docs/observability.md, "Traces"): names "{operation} {queue}",
// messaging.system = gantry, messaging.operation.name and .type,
// messaging.destination.name = the queue, messaging.message.id = the job id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/trace/span.h"
#include "gantry/trace/tracer.h"

namespace gantry::trace {

struct MessagingOperation {
  std::string_view name;  // send, enqueue, dispatch, process
  std::string_view type;  // the semconv type (send, process); empty when none fits
  SpanKind kind;
};

// The four operations of a job's trace.
inline constexpr MessagingOperation kSendOperation{"send", "send", SpanKind::kProducer};
inline constexpr MessagingOperation kEnqueueOperation{"enqueue", "", SpanKind::kServer};
inline constexpr MessagingOperation kDispatchOperation{"dispatch", "", SpanKind::kInternal};
inline constexpr MessagingOperation kProcessOperation{"process", "process", SpanKind::kConsumer};

// Starts `operation`'s span on `queue` with the common attributes set.
// Cheap when the tracer is disabled or the span is not sampled.
Span startMessagingSpan(Tracer& tracer, const MessagingOperation& operation, std::string_view queue,
                        StartOptions options);

// messaging.message.id, as the semconv wants it: a string.
void setMessageId(Span& span, uint64_t job_id);

}  // namespace gantry::trace
