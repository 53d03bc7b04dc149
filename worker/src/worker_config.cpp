#include "gantry/worker/worker_config.h"

#include <unistd.h>

#include <array>
#include <climits>
#include <string_view>

#include "gantry/common/listen_address.h"
#include "gantry/common/log.h"
#include "gantry/common/settings.h"
#include "gantry/common/utf8.h"
#include "gantry/pg/pg_error.h"

namespace gantry::worker {
namespace {

constexpr SettingName kBroker{"--broker", "GANTRY_WORKER_ENDPOINT"};
constexpr SettingName kConcurrency{"--concurrency", "GANTRY_CONCURRENCY"};
constexpr SettingName kKinds{"--kinds", "GANTRY_KINDS"};
constexpr SettingName kId{"--id", "GANTRY_WORKER_ID"};
constexpr SettingName kHeartbeatMs{"--heartbeat-ms", "GANTRY_HEARTBEAT_MS"};
constexpr SettingName kLiveness{"--liveness", "GANTRY_LIVENESS"};
constexpr SettingName kShutdownGraceMs{"--shutdown-grace-ms", "GANTRY_SHUTDOWN_GRACE_MS"};
constexpr SettingName kLogLevel{"--log-level", "GANTRY_LOG_LEVEL"};
constexpr SettingName kMetricsListen{"--metrics-listen", "GANTRY_METRICS_LISTEN"};
constexpr SettingName kHandlerDatabaseUrl{"--handler-database-url", "GANTRY_HANDLER_DATABASE_URL"};
constexpr SettingName kHandlerDatabasePoolSize{"--handler-database-pool-size",
                                               "GANTRY_HANDLER_DATABASE_POOL_SIZE"};

constexpr uint32_t kMaxConcurrency = 1024;
// More would only be idle: a handler thread holds one connection at a time.
constexpr uint32_t kMaxHandlerDatabasePoolSize = kMaxConcurrency;
// Below this, heartbeats alone would keep a loop and the network busy; above
// the maximum, a value is a unit mistake. The same bounds as the broker's.
constexpr uint32_t kMinHeartbeatMs = 10;
constexpr uint32_t kMaxHeartbeatMs = 3'600'000;
constexpr uint32_t kMaxShutdownGraceMs = 24u * 3600u * 1000u;
// Ids are names in logs and tables, like queue and kind names.
constexpr size_t kMaxWorkerIdBytes = 200;

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

Status checkKinds(const WorkerConfig& config, const HandlerRegistry& registry) {
  for (const auto& kind : config.kinds) {
    if (registry.find(kind) == nullptr) {
      std::string known;
      for (const auto& k : registry.kinds()) {
        known += known.empty() ? k : "," + k;
      }
      return invalidSetting(kKinds, kind, "has no handler; known: " + known);
    }
  }
  if (config.kinds.empty() && registry.kinds().empty()) {
    return invalidArgument("no handlers are registered, so the worker could run nothing");
  }
  return Status::ok();
}

Status checkHeartbeats(const WorkerConfig& config) {
  for (Status s : {checkRange(kHeartbeatMs, config.heartbeat_ms, kMinHeartbeatMs, kMaxHeartbeatMs),
                   checkRange(kLiveness, config.liveness, 1, UINT32_MAX)}) {
    if (!s.isOk()) {
      return s;
    }
  }
  // The silence window is an int of milliseconds in the loop's timers.
  if (static_cast<uint64_t>(config.heartbeat_ms) * config.liveness > INT32_MAX) {
    return invalidSetting(kLiveness, std::to_string(config.liveness),
                          "times --heartbeat-ms (" + std::to_string(config.heartbeat_ms) +
                              ") must be at most " + std::to_string(INT32_MAX) + " ms");
  }
  return Status::ok();
}

}  // namespace

void addWorkerSettings(Settings& settings, WorkerConfig& config) {
  settings.add(kBroker, config.broker_endpoint, "Broker worker endpoint");
  settings.add(kConcurrency, config.concurrency, "Jobs run at once (handler threads)");
  settings.add(kKinds, config.kinds, "Job kinds to run, comma-separated (default: all)", ',');
  settings.add(kId, config.worker_id, "Worker id (default: <host>-<pid>)");
  settings.add(kHeartbeatMs, config.heartbeat_ms, "Heartbeat interval; match the broker's");
  settings.add(kLiveness, config.liveness, "Silent heartbeats before reconnecting");
  settings.add(kShutdownGraceMs, config.shutdown_grace_ms,
               "Time running jobs get to finish on SIGTERM");
  settings.add(kLogLevel, config.log_level, "trace|debug|info|warn|error|off");
  settings.add(kMetricsListen, config.metrics_listen,
               "HOST:PORT for /metrics and health probes (empty: none; port 0: any free)");
  settings.addSecret(kHandlerDatabaseUrl, config.handler_database_url,
                     "Postgres for handlers' own writes (empty: handlers get no database)",
                     SecretForm::kConnectionString);
  settings.add(kHandlerDatabasePoolSize, config.handler_database_pool_size,
               "Most connections open to --handler-database-url");
}

Status validateConfig(const WorkerConfig& config, const HandlerRegistry& registry) {
  const std::string& endpoint = config.broker_endpoint;
  if (!startsWith(endpoint, "tcp://") && !startsWith(endpoint, "ipc://") &&
      !startsWith(endpoint, "inproc://")) {
    return invalidSetting(kBroker, endpoint,
                          "must be a ZeroMQ endpoint such as tcp://broker:5555 or "
                          "ipc:///run/gantry/workers");
  }
  if (Status s = checkRange(kConcurrency, config.concurrency, 1, kMaxConcurrency); !s.isOk()) {
    return s;
  }
  if (Status s = checkKinds(config, registry); !s.isOk()) {
    return s;
  }
  if (config.worker_id.size() > kMaxWorkerIdBytes || !isValidUtf8(config.worker_id)) {
    return settingError(
        kId, "must be at most " + std::to_string(kMaxWorkerIdBytes) + " bytes of UTF-8 text");
  }
  if (Status s = checkHeartbeats(config); !s.isOk()) {
    return s;
  }
  if (Status s = checkRange(kShutdownGraceMs, config.shutdown_grace_ms, 0, kMaxShutdownGraceMs);
      !s.isOk()) {
    return s;
  }
  // Not settings (no flag): the defaults hold unless code changes them.
  if (config.reconnect_initial_ms == 0 || config.reconnect_initial_ms > config.reconnect_max_ms) {
    return invalidArgument("reconnect delays must satisfy 0 < initial <= max");
  }
  if (Status s = checkOneOf(kLogLevel, config.log_level, log::kLevelNames); !s.isOk()) {
    return s;
  }
  if (!config.metrics_listen.empty()) {
    if (auto address = parseListenAddress(config.metrics_listen); !address.isOk()) {
      return invalidSetting(kMetricsListen, config.metrics_listen, address.status().message());
    }
  }
  return checkHandlerDatabase(config);
}

Status checkHandlerDatabase(const WorkerConfig& config) {
  // Only the form: the database may be down at start (handlers then fail
  // their attempts with kUnavailable and are retried), but a string that
  // cannot parse never works. Not quoted: it may hold a password.
  if (!config.handler_database_url.empty() &&
      !pg::isWellFormedConninfo(config.handler_database_url)) {
    return settingError(kHandlerDatabaseUrl,
                        "the value is not a libpq connection string (key=value pairs) or "
                        "postgresql:// URL");
  }
  return checkRange(kHandlerDatabasePoolSize, config.handler_database_pool_size, 1,
                    kMaxHandlerDatabasePoolSize);
}

std::string hostName() {
  std::array<char, HOST_NAME_MAX + 1> buffer{};
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') {
    return "unknown";
  }
  return buffer.data();
}

std::string defaultWorkerId() { return hostName() + "-" + std::to_string(::getpid()); }

}  // namespace gantry::worker
