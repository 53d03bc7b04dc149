#include "gantry/trace/tracing_settings.h"

#include <cstdlib>
#include <map>
#include <string_view>

extern char** environ;  // NOLINT: POSIX

namespace gantry::trace {
namespace {

constexpr SettingName kEndpoint{"--otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT"};
constexpr SettingName kTracesEndpoint{"--otlp-traces-endpoint",
                                      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"};
constexpr SettingName kHeaders{"--otlp-headers", "OTEL_EXPORTER_OTLP_HEADERS"};
constexpr SettingName kServiceName{"--service-name", "OTEL_SERVICE_NAME"};
constexpr SettingName kResourceAttributes{"--resource-attributes", "OTEL_RESOURCE_ATTRIBUTES"};
constexpr SettingName kSampler{"--traces-sampler", "OTEL_TRACES_SAMPLER"};
constexpr SettingName kSamplerArg{"--traces-sampler-arg", "OTEL_TRACES_SAMPLER_ARG"};

// Every OTEL_* variable of the process.
std::map<std::string, std::string> otelEnvironment() {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (text.rfind("OTEL_", 0) == 0 && eq != std::string_view::npos) {
      variables.emplace(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  return variables;
}

}  // namespace

void addTracingSettings(Settings& settings, TracingSettings& values) {
  settings.add(kEndpoint, values.endpoint,
               "OTLP/HTTP collector base URL for traces, e.g. http://127.0.0.1:4318 (empty: off)");
  settings.add(kTracesEndpoint, values.traces_endpoint, "full OTLP traces URL, used as is");
  settings.addSecret(kHeaders, values.headers, "headers sent with each export, k=v,k2=v2");
  settings.add(kServiceName, values.service_name, "service.name of this process's spans");
  settings.add(kResourceAttributes, values.resource_attributes,
               "resource attributes of this process's spans, k=v,k2=v2");
  settings.add(kSampler, values.sampler,
               "head sampler, e.g. parentbased_traceidratio (default: parent-based, ratio 1)");
  settings.add(kSamplerArg, values.sampler_arg, "the sampler's ratio, 0..1");
}

Result<TracerConfig> tracerConfigFrom(const TracingSettings& values) {
  std::map<std::string, std::string> variables = otelEnvironment();
  // The settings hold flag, variable or file values, whichever won.
  const std::pair<SettingName, const std::string*> settings[] = {
      {kEndpoint, &values.endpoint},
      {kTracesEndpoint, &values.traces_endpoint},
      {kHeaders, &values.headers},
      {kServiceName, &values.service_name},
      {kResourceAttributes, &values.resource_attributes},
      {kSampler, &values.sampler},
      {kSamplerArg, &values.sampler_arg},
  };
  for (const auto& [name, value] : settings) {
    if (value->empty()) {
      variables.erase(std::string(name.env));
    } else {
      variables[std::string(name.env)] = *value;
    }
  }
  return tracerConfigFromVariables({}, variables);
}

}  // namespace gantry::trace
