// The tracing settings every Gantry process offers: the standard
// OpenTelemetry variables, each also a flag, so that --print-config lists
// them with their source and a bad value is one line naming the setting.
// The exporter's other OTEL_* variables (OTEL_BSP_*, OTEL_EXPORTER_OTLP_TIMEOUT,
// OTEL_SDK_DISABLED) are read from the environment as they are.
//
//   TracingSettings tracing;
//   addTracingSettings(settings, tracing);            // before parsing
//   ... settings.parseCommandLine(...) ...
//   auto config = tracerConfigFrom(tracing);          // after
#pragma once

#include <string>

#include "gantry/common/settings.h"
#include "gantry/common/status.h"
#include "gantry/trace/tracer_config.h"

namespace gantry::trace {

struct TracingSettings {
  std::string endpoint;             // --otlp-endpoint, OTEL_EXPORTER_OTLP_ENDPOINT
  std::string traces_endpoint;      // --otlp-traces-endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  std::string headers;              // --otlp-headers, OTEL_EXPORTER_OTLP_HEADERS (secret)
  std::string service_name;         // --service-name, OTEL_SERVICE_NAME
  std::string resource_attributes;  // --resource-attributes, OTEL_RESOURCE_ATTRIBUTES
  std::string sampler;              // --traces-sampler, OTEL_TRACES_SAMPLER
  std::string sampler_arg;          // --traces-sampler-arg, OTEL_TRACES_SAMPLER_ARG
};

// Registers the settings above on `settings`, bound to `values`.
void addTracingSettings(Settings& settings, TracingSettings& values);

// The tracer configuration `values` and the environment's other OTEL_*
// variables make; the error names the setting, its value (headers masked)
// and what is expected.
Result<TracerConfig> tracerConfigFrom(const TracingSettings& values);

}  // namespace gantry::trace
