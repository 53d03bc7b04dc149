// How a process exports its spans: one plain struct, filled from the
// standard OpenTelemetry environment variables over the program's defaults,
// validated once at start. Plain values, thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "gantry/common/status.h"

namespace gantry::trace {

struct TracerConfig {
  // OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL, e.g.
  // http://127.0.0.1:4318; "/v1/traces" is appended. Tracing is off when this
  // and traces_endpoint are both empty, which is the default: a process
  // exports nothing unless told where to.
  std::string endpoint;
  // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full URL spans are POSTed to,
  // used as is; wins over endpoint.
  std::string traces_endpoint;
  // OTEL_EXPORTER_OTLP_HEADERS: "k=v,k2=v2" (values percent-decoded) sent
  // with every export, e.g. an authorization token. May hold secrets: never
  // logged, and masked in error messages.
  std::string headers;
  // OTEL_SERVICE_NAME: the resource's service.name. Empty: service.name from
  // resource_attributes, else the name the program passes to the Tracer.
  std::string service_name;
  // OTEL_RESOURCE_ATTRIBUTES: "k=v,k2=v2" (values percent-decoded), added to
  // the resource of every span, e.g. deployment.environment=staging.
  std::string resource_attributes;
  // The fraction of new traces (root spans) that are recorded, in [0, 1]
  // (OTEL_TRACES_SAMPLER_ARG with a *traceidratio sampler). Lower costs less
  // at the collector and in the process; 1 records every trace.
  double sample_ratio = 1.0;
  // True: a span with a parent is recorded exactly when its parent is (the
  // parentbased_* samplers), so traces are whole. False: sample_ratio
  // decides for every span, as always_on, always_off and traceidratio do.
  bool follow_parent = true;
  // OTEL_BSP_MAX_QUEUE_SIZE: ended spans waiting for export. A full queue
  // drops new spans (counted) rather than growing or blocking the caller;
  // larger rides out longer collector stalls at the cost of memory.
  size_t max_queue_spans = 2048;
  // OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans per export request, at most
  // max_queue_spans. A queue holding this many wakes the exporter early.
  size_t max_batch_spans = 512;
  // OTEL_BSP_SCHEDULE_DELAY: how long ended spans may wait before an export.
  // Shorter shows spans sooner; longer sends fewer, larger requests.
  int64_t schedule_delay_ms = 1000;
  // OTEL_EXPORTER_OTLP_TIMEOUT: the most one batch may take, retries
  // included, and the most the Tracer's destructor spends flushing. The
  // connect timeout is shorter (a fifth of it, at most 2 s).
  int64_t export_timeout_ms = 10000;

  // An endpoint is set.
  bool enabled() const;
  // The URL spans are POSTed to: traces_endpoint, else endpoint with
  // "/v1/traces" appended; empty when not enabled().
  std::string tracesUrl() const;
};

// Reads, over `defaults`: OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER (always_on,
// always_off, traceidratio, parentbased_always_on, parentbased_always_off,
// parentbased_traceidratio), OTEL_TRACES_SAMPLER_ARG, OTEL_BSP_MAX_QUEUE_SIZE,
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_SCHEDULE_DELAY,
// OTEL_EXPORTER_OTLP_TIMEOUT; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=
// none turn tracing off (both endpoints cleared); OTEL_EXPORTER_OTLP_PROTOCOL
// and OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, when set, must be http/protobuf.
// Unset or empty variables leave the default. The result is validated. A bad
// value is an invalid-argument Status of one line naming the variable, its
// value (OTEL_EXPORTER_OTLP_HEADERS's masked) and what is expected.
Result<TracerConfig> tracerConfigFromEnvironment(TracerConfig defaults);
// The same over given variables instead of the process environment.
Result<TracerConfig> tracerConfigFromVariables(TracerConfig defaults,
                                               const std::map<std::string, std::string>& variables);

// Ok, or one line naming the first field that is wrong and why: endpoints
// that are not http:// or https:// URLs, headers or resource attributes that
// are not k=v lists, a ratio outside [0, 1], sizes or times that are not
// positive, a batch larger than the queue. Header values are never shown.
Status validate(const TracerConfig& config);

}  // namespace gantry::trace
