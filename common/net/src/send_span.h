// BrokerClient::submit's trace: one send span (PRODUCER) per request, a
// child of the first job's traceparent or the root of a new trace, whose
// context is stamped on every job that carried no traceparent or that
// parent's. Jobs carrying another trace's context keep it.
#pragma once

#include <vector>

#include "gantry.pb.h"
#include "gantry/trace/span.h"
#include "gantry/trace/tracer.h"

namespace gantry {

trace::Span startSendSpan(trace::Tracer& tracer, std::vector<wire::JobSpec>& specs);

}  // namespace gantry
