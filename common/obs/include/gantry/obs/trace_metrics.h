// The tracer's counters as metrics: gantry_trace_spans_exported_total and
// gantry_trace_spans_dropped_total (queue full, export failed, collector
// unreachable). Header-only so gantry_obs and gantry_trace stay independent.
#pragma once

#include "gantry/obs/observability.h"
#include "gantry/trace/tracer.h"

namespace gantry::obs {

// REQUIRES: tracer outlives any listener `obs` serves.
inline void addTraceMetrics(Observability& obs, const trace::Tracer& tracer) {
  obs.addCounter("gantry_trace_spans_exported_total", "Spans the collector accepted",
                 [&tracer] { return static_cast<double>(tracer.exportedSpans()); });
  obs.addCounter("gantry_trace_spans_dropped_total",
                 "Spans lost: export queue full, export failed, collector unreachable",
                 [&tracer] { return static_cast<double>(tracer.droppedSpans()); });
}

}  // namespace gantry::obs
