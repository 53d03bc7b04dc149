// TracerConfig from OTEL_* variables: each variable lands in its field, and a
// bad value is one line naming the variable, its value and what is expected,
// with header values never shown.
#include "gantry/trace/tracer_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>
#include <tuple>

namespace gantry::trace {
namespace {

using Variables = std::map<std::string, std::string>;

TracerConfig parsed(const Variables& variables, TracerConfig defaults = {}) {
  auto config = tracerConfigFromVariables(std::move(defaults), variables);
  EXPECT_TRUE(config.isOk()) << config.status().toString();
  return config ? *config : TracerConfig{};
}

TEST(TracerConfig, TracingIsOffByDefault) {
  const TracerConfig config = parsed({});
  EXPECT_FALSE(config.enabled());
  EXPECT_EQ(config.tracesUrl(), "");
  EXPECT_TRUE(validate(config).isOk());
}

TEST(TracerConfig, EachVariableSetsItsField) {
  const TracerConfig config = parsed({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20x,x-tenant=a"},
      {"OTEL_SERVICE_NAME", "gantry-broker"},
      {"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging"},
      {"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
      {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
      {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"},
      {"OTEL_BSP_SCHEDULE_DELAY", "250"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "3000"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
      {"UNRELATED", "ignored"},
  });
  EXPECT_TRUE(config.enabled());
  EXPECT_EQ(config.endpoint, "http://collector:4318");
  EXPECT_EQ(config.tracesUrl(), "http://collector:4318/v1/traces");
  EXPECT_EQ(config.headers, "authorization=Bearer%20x,x-tenant=a");
  EXPECT_EQ(config.service_name, "gantry-broker");
  EXPECT_EQ(config.resource_attributes, "deployment.environment=staging");
  EXPECT_DOUBLE_EQ(config.sample_ratio, 0.25);
  EXPECT_TRUE(config.follow_parent);
  EXPECT_EQ(config.max_queue_spans, 100u);
  EXPECT_EQ(config.max_batch_spans, 10u);
  EXPECT_EQ(config.schedule_delay_ms, 250);
  EXPECT_EQ(config.export_timeout_ms, 3000);
}

TEST(TracerConfig, TracesEndpointIsUsedAsIsAndWins) {
  EXPECT_EQ(parsed({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"}}).tracesUrl(),
            "http://c:4318/v1/traces");
  const TracerConfig config = parsed({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                                      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://t/custom"}});
  EXPECT_TRUE(config.enabled());
  EXPECT_EQ(config.tracesUrl(), "https://t/custom");
}

TEST(TracerConfig, UnsetOrEmptyVariablesKeepTheDefaults) {
  TracerConfig defaults;
  defaults.endpoint = "http://default:4318";
  defaults.sample_ratio = 0.5;
  defaults.max_queue_spans = 99;
  defaults.max_batch_spans = 9;
  const TracerConfig config =
      parsed({{"OTEL_EXPORTER_OTLP_ENDPOINT", ""}, {"OTEL_BSP_MAX_QUEUE_SIZE", ""}}, defaults);
  EXPECT_EQ(config.endpoint, "http://default:4318");
  EXPECT_DOUBLE_EQ(config.sample_ratio, 0.5);
  EXPECT_EQ(config.max_queue_spans, 99u);
}

TEST(TracerConfig, SamplersMapToRatioAndParentRule) {
  struct Case {
    Variables variables;
    double ratio;
    bool follow_parent;
  };
  const Case cases[] = {
      {{{"OTEL_TRACES_SAMPLER", "always_on"}}, 1.0, false},
      {{{"OTEL_TRACES_SAMPLER", "always_off"}}, 0.0, false},
      {{{"OTEL_TRACES_SAMPLER", "traceidratio"}}, 1.0, false},
      {{{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.1"}}, 0.1, false},
      {{{"OTEL_TRACES_SAMPLER", "parentbased_always_on"}}, 1.0, true},
      {{{"OTEL_TRACES_SAMPLER", "parentbased_always_off"}}, 0.0, true},
      {{{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0"}},
       0.0,
       true},
      // The argument of a sampler that takes none is ignored, as OTel says.
      {{{"OTEL_TRACES_SAMPLER", "always_on"}, {"OTEL_TRACES_SAMPLER_ARG", "0.3"}}, 1.0, false},
      // Without a sampler named, the argument sets the defaults' ratio.
      {{{"OTEL_TRACES_SAMPLER_ARG", "0.75"}}, 0.75, true},
  };
  for (const Case& c : cases) {
    const TracerConfig config = parsed(c.variables);
    EXPECT_DOUBLE_EQ(config.sample_ratio, c.ratio) << c.variables.begin()->second;
    EXPECT_EQ(config.follow_parent, c.follow_parent) << c.variables.begin()->second;
  }
}

TEST(TracerConfig, SdkDisabledOrExporterNoneTurnsTracingOff) {
  const Variables endpoint = {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                              {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/x"}};
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"OTEL_SDK_DISABLED", "TRUE"}, {"OTEL_TRACES_EXPORTER", "none"}}) {
    Variables variables = endpoint;
    variables[name] = value;
    EXPECT_FALSE(parsed(variables).enabled()) << name;
  }
  Variables kept = endpoint;
  kept["OTEL_SDK_DISABLED"] = "false";
  kept["OTEL_TRACES_EXPORTER"] = "otlp";
  EXPECT_TRUE(parsed(kept).enabled());
}

TEST(TracerConfig, ReadsTheProcessEnvironment) {
  ::setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://from-env:4318", 1);
  ::setenv("OTEL_SERVICE_NAME", "from-env", 1);
  auto config = tracerConfigFromEnvironment({});
  ::unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  ::unsetenv("OTEL_SERVICE_NAME");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->tracesUrl(), "http://from-env:4318/v1/traces");
  EXPECT_EQ(config->service_name, "from-env");
}

// (variable, value, another variable needed for the case or "")
using BadCase = std::tuple<std::string, std::string, std::string>;
class BadVariable : public testing::TestWithParam<BadCase> {};

TEST_P(BadVariable, IsOneLineNamingVariableValueAndExpectation) {
  const auto& [name, value, extra] = GetParam();
  Variables variables = {{name, value}};
  if (!extra.empty()) {
    variables[extra.substr(0, extra.find('='))] = extra.substr(extra.find('=') + 1);
  }
  const auto config = tracerConfigFromVariables({}, variables);
  ASSERT_FALSE(config.isOk()) << name << "=" << value;
  const Status status = config.status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  const std::string& message = status.message();
  EXPECT_EQ(message.rfind(name + "=", 0), 0u) << message;
  EXPECT_NE(message.find(value), std::string::npos) << message;
  EXPECT_NE(message.find("expected"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    TracerConfig, BadVariable,
    testing::Values(
        BadCase{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", ""},
        BadCase{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector/v1/traces", ""},
        BadCase{"OTEL_RESOURCE_ATTRIBUTES", "team=core,no-equals-sign", ""},
        BadCase{"OTEL_RESOURCE_ATTRIBUTES", "k=bad%zzescape", ""},
        BadCase{"OTEL_TRACES_SAMPLER", "sometimes", ""},
        BadCase{"OTEL_TRACES_SAMPLER_ARG", "1.5", "OTEL_TRACES_SAMPLER=traceidratio"},
        BadCase{"OTEL_TRACES_SAMPLER_ARG", "half", ""},
        BadCase{"OTEL_BSP_MAX_QUEUE_SIZE", "lots", ""}, BadCase{"OTEL_BSP_MAX_QUEUE_SIZE", "0", ""},
        BadCase{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "-5", ""},
        BadCase{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096", "OTEL_BSP_MAX_QUEUE_SIZE=100"},
        BadCase{"OTEL_BSP_SCHEDULE_DELAY", "1s", ""},
        BadCase{"OTEL_EXPORTER_OTLP_TIMEOUT", "0", ""},
        BadCase{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", ""},
        BadCase{"OTEL_TRACES_EXPORTER", "jaeger", ""}, BadCase{"OTEL_SDK_DISABLED", "yes", ""}));

TEST(TracerConfig, HeadersAreMaskedInErrors) {
  for (const std::string headers :
       {"authorization=Bearer s3cret,broken", "authorization=Bearer s3cret%0Ainjected: 1",
        "bad name=Bearer s3cret"}) {
    const auto config = tracerConfigFromVariables({}, {{"OTEL_EXPORTER_OTLP_HEADERS", headers}});
    ASSERT_FALSE(config.isOk()) << headers;
    const std::string message = config.status().message();
    EXPECT_EQ(message.rfind("OTEL_EXPORTER_OTLP_HEADERS=", 0), 0u) << message;
    EXPECT_NE(message.find("masked"), std::string::npos) << message;
    EXPECT_NE(message.find("expected"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    EXPECT_EQ(message.find("Bearer"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(TracerConfig, ValidateNamesTheField) {
  TracerConfig config;
  config.max_queue_spans = 10;
  config.max_batch_spans = 20;
  Status status = validate(config);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("max_batch_spans=20", 0), 0u) << status.message();

  config = {};
  config.sample_ratio = -0.1;
  EXPECT_EQ(validate(config).message().rfind("sample_ratio=", 0), 0u) << validate(config).message();

  config = {};
  config.headers = "token";
  status = validate(config);
  EXPECT_EQ(status.message().rfind("headers=<masked", 0), 0u) << status.message();
  EXPECT_EQ(status.message().find("token"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace gantry::trace
