// The OTLP resource of a process: who reports the spans.
#pragma once

#include <string>

#include "gantry/trace/tracer_config.h"
#include "span_data.h"

namespace gantry::trace {

// service.name (config.service_name, else service.name from
// config.resource_attributes, else default_service_name),
// service.instance.id (host-pid), host.name, process.pid,
// telemetry.sdk.name=gantry and telemetry.sdk.language=cpp, then every
// attribute of config.resource_attributes, which win over the detected ones
// (not over service.name's rule above). REQUIRES: validate(config).isOk()
Attributes buildResource(const TracerConfig& config, std::string default_service_name);

}  // namespace gantry::trace
