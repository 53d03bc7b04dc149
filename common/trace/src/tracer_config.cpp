#include "gantry/trace/tracer_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>

#include "key_value_list.h"

extern char** environ;

namespace gantry::trace {
namespace {

constexpr std::string_view kTracesPath = "v1/traces";
constexpr size_t kMaxValueShown = 200;

// The two ways a field is named in messages: as the struct has it (for
// validate()) and as the environment variable that sets it.
struct Field {
  const char* member;
  const char* variable;
};
constexpr Field kEndpoint{"endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT"};
constexpr Field kTracesEndpoint{"traces_endpoint", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"};
constexpr Field kHeaders{"headers", "OTEL_EXPORTER_OTLP_HEADERS"};
constexpr Field kResourceAttributes{"resource_attributes", "OTEL_RESOURCE_ATTRIBUTES"};
constexpr Field kSampleRatio{"sample_ratio", "OTEL_TRACES_SAMPLER_ARG"};
constexpr Field kMaxQueue{"max_queue_spans", "OTEL_BSP_MAX_QUEUE_SIZE"};
constexpr Field kMaxBatch{"max_batch_spans", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"};
constexpr Field kScheduleDelay{"schedule_delay_ms", "OTEL_BSP_SCHEDULE_DELAY"};
constexpr Field kExportTimeout{"export_timeout_ms", "OTEL_EXPORTER_OTLP_TIMEOUT"};

// A value as it appears in a one-line message: quoted, control characters
// replaced, long values cut.
std::string shown(std::string_view value) {
  std::string out = "\"";
  for (const char c : value.substr(0, kMaxValueShown)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == '\x7f' ? '?' : c);
  }
  out += value.size() > kMaxValueShown ? "...\"" : "\"";
  return out;
}

std::string masked(std::string_view value) {
  return "<masked, " + std::to_string(value.size()) + " bytes>";
}

Status invalid(const Field& field, bool env, const std::string& value, std::string_view expected) {
  return invalidArgument(std::string(env ? field.variable : field.member) + "=" + value +
                         " is not valid: " + std::string(expected));
}

bool isHttpUrl(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.substr(0, scheme.size()) == scheme && url.size() > scheme.size() &&
        url[scheme.size()] != '/') {
      return std::none_of(url.begin(), url.end(),
                          [](char c) { return static_cast<unsigned char>(c) <= ' '; });
    }
  }
  return false;
}

// An HTTP header name is an RFC 9110 token; a value must not end the line.
bool isHeaderName(std::string_view name) {
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kTokenPunctuation.find(c) != std::string_view::npos;
  });
}

Status validateHeaders(const std::string& headers, bool env) {
  auto parsed = parseKeyValueList(headers);
  if (!parsed) {
    return invalid(kHeaders, env, masked(headers),
                   parsed.status().message() + "; expected name=value pairs separated by commas");
  }
  for (const auto& [name, value] : *parsed) {
    if (!isHeaderName(name) || value.find_first_of("\r\n") != std::string::npos) {
      return invalid(kHeaders, env, masked(headers),
                     "expected HTTP header names and values on one line");
    }
  }
  return Status::ok();
}

Status validateNamed(const TracerConfig& c, bool env) {
  if (!c.endpoint.empty() && !isHttpUrl(c.endpoint)) {
    return invalid(kEndpoint, env, shown(c.endpoint),
                   "expected an http:// or https:// base URL, e.g. http://127.0.0.1:4318");
  }
  if (!c.traces_endpoint.empty() && !isHttpUrl(c.traces_endpoint)) {
    return invalid(kTracesEndpoint, env, shown(c.traces_endpoint),
                   "expected an http:// or https:// URL, e.g. http://127.0.0.1:4318/v1/traces");
  }
  if (Status s = validateHeaders(c.headers, env); !s.isOk()) {
    return s;
  }
  if (auto parsed = parseKeyValueList(c.resource_attributes); !parsed) {
    return invalid(kResourceAttributes, env, shown(c.resource_attributes),
                   parsed.status().message() + "; expected key=value pairs separated by commas");
  }
  if (!(c.sample_ratio >= 0.0 && c.sample_ratio <= 1.0)) {
    return invalid(kSampleRatio, env, std::to_string(c.sample_ratio),
                   "expected a number from 0 to 1");
  }
  if (c.max_queue_spans == 0) {
    return invalid(kMaxQueue, env, "0", "expected a positive integer");
  }
  if (c.max_batch_spans == 0 || c.max_batch_spans > c.max_queue_spans) {
    return invalid(kMaxBatch, env, std::to_string(c.max_batch_spans),
                   "expected a positive integer no larger than " +
                       std::string(env ? kMaxQueue.variable : kMaxQueue.member) + " (" +
                       std::to_string(c.max_queue_spans) + ")");
  }
  if (c.schedule_delay_ms <= 0) {
    return invalid(kScheduleDelay, env, std::to_string(c.schedule_delay_ms),
                   "expected a positive number of milliseconds");
  }
  if (c.export_timeout_ms <= 0) {
    return invalid(kExportTimeout, env, std::to_string(c.export_timeout_ms),
                   "expected a positive number of milliseconds");
  }
  return Status::ok();
}

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> parseRatio(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool TracerConfig::enabled() const { return !endpoint.empty() || !traces_endpoint.empty(); }

std::string TracerConfig::tracesUrl() const {
  if (!traces_endpoint.empty()) {
    return traces_endpoint;
  }
  if (endpoint.empty()) {
    return {};
  }
  return endpoint + (endpoint.back() == '/' ? "" : "/") + std::string(kTracesPath);
}

Status validate(const TracerConfig& config) { return validateNamed(config, false); }

Result<TracerConfig> tracerConfigFromVariables(
    TracerConfig c, const std::map<std::string, std::string>& variables) {
  auto get = [&](const char* name) -> std::optional<std::string> {
    const auto it = variables.find(name);
    if (it == variables.end() || it->second.empty()) {
      return std::nullopt;
    }
    return it->second;
  };
  auto bad = [](const char* name, const std::string& value, std::string_view expected) {
    return invalidArgument(std::string(name) + "=" + shown(value) +
                           " is not valid: " + std::string(expected));
  };

  for (auto [field, target] :
       {std::pair{&kEndpoint, &c.endpoint}, std::pair{&kTracesEndpoint, &c.traces_endpoint},
        std::pair{&kHeaders, &c.headers},
        std::pair{&kResourceAttributes, &c.resource_attributes}}) {
    if (auto v = get(field->variable)) {
      *target = *v;
    }
  }
  if (auto v = get("OTEL_SERVICE_NAME")) {
    c.service_name = *v;
  }
  for (auto [field, target] :
       {std::pair{&kMaxQueue, &c.max_queue_spans}, std::pair{&kMaxBatch, &c.max_batch_spans}}) {
    if (auto v = get(field->variable)) {
      const auto n = parseInteger(*v);
      if (!n || *n <= 0) {
        return bad(field->variable, *v, "expected a positive integer");
      }
      *target = static_cast<size_t>(*n);
    }
  }
  for (auto [field, target] : {std::pair{&kScheduleDelay, &c.schedule_delay_ms},
                               std::pair{&kExportTimeout, &c.export_timeout_ms}}) {
    if (auto v = get(field->variable)) {
      const auto n = parseInteger(*v);
      if (!n || *n <= 0) {
        return bad(field->variable, *v, "expected a positive integer (milliseconds)");
      }
      *target = *n;
    }
  }

  // Samplers, as OTel's SDK configuration names them. The ratio applies to
  // the *traceidratio ones, and to the defaults' sampler when none is named.
  bool takes_ratio = true;
  if (auto v = get("OTEL_TRACES_SAMPLER")) {
    const std::string name = lowercase(*v);
    takes_ratio = name == "traceidratio" || name == "parentbased_traceidratio";
    if (name == "always_on" || name == "parentbased_always_on" || takes_ratio) {
      c.sample_ratio = 1.0;
    } else if (name == "always_off" || name == "parentbased_always_off") {
      c.sample_ratio = 0.0;
    } else {
      return bad("OTEL_TRACES_SAMPLER", *v,
                 "expected always_on, always_off, traceidratio, parentbased_always_on, "
                 "parentbased_always_off or parentbased_traceidratio");
    }
    c.follow_parent = name.rfind("parentbased_", 0) == 0;
  }
  if (auto v = get(kSampleRatio.variable); v && takes_ratio) {
    const auto ratio = parseRatio(*v);
    if (!ratio || *ratio < 0.0 || *ratio > 1.0) {
      return bad(kSampleRatio.variable, *v, "expected a number from 0 to 1");
    }
    c.sample_ratio = *ratio;
  }

  for (const char* name : {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"}) {
    if (auto v = get(name); v && *v != "http/protobuf") {
      return bad(name, *v, "expected http/protobuf, the only protocol this exporter speaks");
    }
  }
  bool off = false;
  if (auto v = get("OTEL_TRACES_EXPORTER")) {
    const std::string name = lowercase(*v);
    if (name != "otlp" && name != "none") {
      return bad("OTEL_TRACES_EXPORTER", *v, "expected otlp or none");
    }
    off = name == "none";
  }
  if (auto v = get("OTEL_SDK_DISABLED")) {
    const std::string value = lowercase(*v);
    if (value != "true" && value != "false") {
      return bad("OTEL_SDK_DISABLED", *v, "expected true or false");
    }
    off = off || value == "true";
  }
  if (off) {
    c.endpoint.clear();
    c.traces_endpoint.clear();
  }
  if (Status s = validateNamed(c, true); !s.isOk()) {
    return s;
  }
  return c;
}

Result<TracerConfig> tracerConfigFromEnvironment(TracerConfig defaults) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const size_t eq = text.find('=');
    if (text.substr(0, 5) == "OTEL_" && eq != std::string_view::npos) {
      variables.emplace(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  return tracerConfigFromVariables(std::move(defaults), variables);
}

}  // namespace gantry::trace
