#include "gantry/sim/sim_config.h"

#include <charconv>
#include <cstdlib>

#include "gantry/common/listen_address.h"
#include "gantry/common/log.h"
#include "gantry/common/setting_checks.h"
#include "gantry/common/settings.h"

namespace gantry::sim {
namespace {

constexpr SettingName kListen{"--listen", "GANTRY_SIM_LISTEN"};
constexpr SettingName kPortFile{"--port-file", "GANTRY_SIM_PORT_FILE"};
constexpr SettingName kMetricsListen{"--metrics-listen", "GANTRY_METRICS_LISTEN"};
constexpr SettingName kThreads{"--threads", "GANTRY_SIM_THREADS"};
constexpr SettingName kLogLevel{"--log-level", "GANTRY_LOG_LEVEL"};
constexpr SettingName kTlsCert{"--tls-cert", "GANTRY_SIM_TLS_CERT"};
constexpr SettingName kTlsKey{"--tls-key", "GANTRY_SIM_TLS_KEY"};
constexpr SettingName kTlsSelfSigned{"--tls-self-signed", "GANTRY_SIM_TLS_SELF_SIGNED"};
constexpr SettingName kSeed{"--seed", "GANTRY_SIM_SEED"};
constexpr SettingName kUsers{"--users", "GANTRY_SIM_USERS"};
constexpr SettingName kMissingRatio{"--missing-transcript-ratio",
                                    "GANTRY_SIM_MISSING_TRANSCRIPT_RATIO"};
constexpr SettingName kAnchor{"--anchor-unix-ms", "GANTRY_SIM_ANCHOR_UNIX_MS"};
constexpr SettingName kLookback{"--lookback-hours", "GANTRY_SIM_LOOKBACK_HOURS"};
constexpr SettingName kOpenAiKey{"--openai-key", "GANTRY_SIM_OPENAI_KEY"};
constexpr SettingName kLimit{"--limit", "GANTRY_SIM_LIMITS"};
constexpr SettingName kDefaultLimit{"--default-limit", "GANTRY_SIM_DEFAULT_LIMIT"};
constexpr SettingName kGrace{"--in-flight-grace-ms", "GANTRY_SIM_IN_FLIGHT_GRACE_MS"};
constexpr SettingName kFault{"--fault", "GANTRY_SIM_FAULTS"};
constexpr SettingName kMaxUpload{"--max-upload-bytes", "GANTRY_SIM_MAX_UPLOAD_BYTES"};
constexpr SettingName kMaxBody{"--max-body-bytes", "GANTRY_SIM_MAX_BODY_BYTES"};

constexpr uint32_t kMaxThreads = 64;
// Every user's meetings are generated at start; beyond this the data set
// stops being something a test can reason about.
constexpr uint32_t kMaxUsers = 100000;

Status checkListen(SettingName name, const std::string& value, bool allow_empty) {
  if (value.empty() && allow_empty) {
    return Status::ok();
  }
  if (auto address = parseListenAddress(value); !address.isOk()) {
    return invalidSetting(name, value, address.status().message());
  }
  return Status::ok();
}

Status checkTls(const SimConfig& config) {
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return settingError(config.tls_cert.empty() ? kTlsCert : kTlsKey,
                        "must be given with " +
                            std::string(config.tls_cert.empty() ? kTlsKey.flag : kTlsCert.flag));
  }
  if (!config.tls_cert.empty() && !config.tls_self_signed_dir.empty()) {
    return settingError(kTlsSelfSigned, "cannot be combined with --tls-cert/--tls-key");
  }
  return Status::ok();
}

Status parseLimits(SimConfig& config) {
  config.limits = defaultLimits();
  for (const auto& text : config.limit_texts) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return invalidSetting(kLimit, text, "must be NAME=N/s or NAME=N/min");
    }
    auto limit = parseRateLimit(text.substr(eq + 1));
    if (!limit.isOk()) {
      return invalidSetting(kLimit, text, limit.status().message());
    }
    config.limits[text.substr(0, eq)] = limit.value();
  }
  auto fallback = parseRateLimit(config.default_limit_text);
  if (!fallback.isOk()) {
    return invalidSetting(kDefaultLimit, config.default_limit_text, fallback.status().message());
  }
  config.default_limit = fallback.value();
  return Status::ok();
}

Status parseRatio(SimConfig& config) {
  const std::string& text = config.missing_transcript_ratio_text;
  char* end = nullptr;
  const double ratio = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(ratio >= 0.0 && ratio <= 1.0)) {
    return invalidSetting(kMissingRatio, text, "must be a number between 0 and 1");
  }
  config.missing_transcript_ratio = ratio;
  return Status::ok();
}

}  // namespace

std::map<std::string, RateLimit> defaultLimits() {
  return {{"graph", {100, 60000}},
          {"zoom.recordings", {8, 1000}},
          {"zoom", {60, 1000}},
          {"openai", {10, 60000}}};
}

Result<RateLimit> parseRateLimit(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    return invalidArgument("must be N/s or N/min");
  }
  uint32_t requests = 0;
  const char* first = text.data();
  const char* last = text.data() + slash;
  auto [ptr, ec] = std::from_chars(first, last, requests);
  if (ec != std::errc() || ptr != last || requests == 0 || requests > 1000000) {
    return invalidArgument("must be N/s or N/min with N between 1 and 1000000");
  }
  const std::string unit = text.substr(slash + 1);
  int64_t period_ms = 0;
  if (unit == "s" || unit == "sec" || unit == "second") {
    period_ms = 1000;
  } else if (unit == "min" || unit == "m" || unit == "minute") {
    period_ms = 60000;
  } else if (unit == "h" || unit == "hour") {
    period_ms = 3600000;
  } else {
    return invalidArgument("must end in /s or /min");
  }
  return RateLimit{requests, period_ms};
}

void addSimSettings(Settings& settings, SimConfig& config) {
  settings.add(kListen, config.listen, "HOST:PORT of the simulated APIs (port 0: any free)");
  settings.add(kPortFile, config.port_file, "File to write the bound HOST:PORT to");
  settings.add(kMetricsListen, config.metrics_listen,
               "HOST:PORT for /metrics and health probes (empty: none; port 0: any free)");
  settings.add(kThreads, config.threads, "I/O threads");
  settings.add(kLogLevel, config.log_level, "trace|debug|info|warn|error|off");
  settings.add(kTlsCert, config.tls_cert, "TLS certificate chain (PEM); needs --tls-key");
  settings.add(kTlsKey, config.tls_key, "TLS private key (PEM)");
  settings.add(kTlsSelfSigned, config.tls_self_signed_dir,
               "Directory to write a generated self-signed cert.pem/key.pem to, and serve TLS");
  settings.add(kSeed, config.seed, "Data set seed");
  settings.add(kUsers, config.users, "Users in the data set");
  settings.add(kMissingRatio, config.missing_transcript_ratio_text,
               "Fraction of meetings without a transcript (0..1)");
  settings.add(kAnchor, config.anchor_unix_ms,
               "Data set's 'now' in unix ms (0: process start); meetings lie before it");
  settings.add(kLookback, config.lookback_hours, "Hours of meetings before the anchor");
  settings.addSecret(kOpenAiKey, config.openai_key, "API key of the OpenAI-compatible API");
  settings.add(kLimit, config.limit_texts, "Rate limit NAME=N/s|N/min (repeatable)", ',');
  settings.add(kDefaultLimit, config.default_limit_text,
               "Rate limit of generic /sim/NAME/work resources not given by --limit");
  settings.add(kGrace, config.in_flight_grace_ms,
               "Grace after a 429 before early retries count as Retry-After violations");
  settings.add(kFault, config.faults, "Fault at start, KIND:RESOURCE[:k=v,...] (repeatable)", ';');
  settings.add(kMaxUpload, config.max_upload_bytes, "Largest audio upload body");
  settings.add(kMaxBody, config.max_body_bytes, "Largest other request body");
}

Status validateConfig(SimConfig& config) {
  for (Status s : {checkListen(kListen, config.listen, false),
                   checkListen(kMetricsListen, config.metrics_listen, true),
                   checkRange(kThreads, config.threads, 1, kMaxThreads),
                   checkOneOf(kLogLevel, config.log_level, log::kLevelNames), checkTls(config),
                   checkRange(kUsers, config.users, 1, kMaxUsers),
                   checkRange(kLookback, config.lookback_hours, 1, 24 * 365),
                   checkRange(kAnchor, config.anchor_unix_ms, 0, INT64_C(32503680000000)),
                   checkRange(kGrace, config.in_flight_grace_ms, 0, 600000),
                   checkRange(kMaxUpload, config.max_upload_bytes, 1024, 4ull << 30),
                   checkRange(kMaxBody, config.max_body_bytes, 1024, 1ull << 30)}) {
    if (!s.isOk()) {
      return s;
    }
  }
  if (config.openai_key.empty()) {
    return settingError(kOpenAiKey, "must not be empty");
  }
  if (Status s = parseRatio(config); !s.isOk()) {
    return s;
  }
  return parseLimits(config);
}

}  // namespace gantry::sim
