#include "gantry/broker/server/broker_options.h"

#include <climits>
#include <limits>

#include "gantry/broker/server/endpoint_check.h"
#include "gantry/broker/server/limit_options.h"
#include "gantry/broker/server/resource_options.h"
#include "gantry/common/codec.h"
#include "gantry/common/listen_address.h"
#include "gantry/common/log.h"
#include "gantry/common/settings.h"
#include "gantry/pg/pg_error.h"

namespace gantry::broker {
namespace {

constexpr SettingName kDatabaseUrl{"--database-url", "DATABASE_URL"};
constexpr SettingName kWorkerEndpoint{"--worker-endpoint", "GANTRY_WORKER_ENDPOINT"};
constexpr SettingName kClientEndpoint{"--client-endpoint", "GANTRY_CLIENT_ENDPOINT"};
constexpr SettingName kMetricsListen{"--metrics-listen", "GANTRY_METRICS_LISTEN"};
constexpr SettingName kLogLevel{"--log-level", "GANTRY_LOG_LEVEL"};
constexpr SettingName kDbWaitMs{"--db-wait-ms", "GANTRY_DB_WAIT_MS"};
constexpr SettingName kHeartbeatMs{"--heartbeat-ms", "GANTRY_HEARTBEAT_MS"};
constexpr SettingName kLiveness{"--liveness", "GANTRY_LIVENESS"};
constexpr SettingName kLeaseGraceMs{"--lease-grace-ms", "GANTRY_LEASE_GRACE_MS"};
constexpr SettingName kRecoveryGraceMs{"--recovery-grace-ms", "GANTRY_RECOVERY_GRACE_MS"};
constexpr SettingName kAgingMs{"--aging-ms", "GANTRY_AGING_MS"};
constexpr SettingName kRetentionMs{"--retention-ms", "GANTRY_RETENTION_MS"};
constexpr SettingName kMaxPayloadBytes{"--max-payload-bytes", "GANTRY_MAX_PAYLOAD_BYTES"};
constexpr SettingName kQueueCapacityDefault{"--queue-capacity-default", "GANTRY_QUEUE_CAPACITY"};
constexpr SettingName kKeyLimitDefault{"--key-limit-default", "GANTRY_KEY_LIMIT"};
constexpr SettingName kMaxAttempts{"--max-attempts", "GANTRY_MAX_ATTEMPTS"};
constexpr SettingName kTimeoutMs{"--timeout-ms", "GANTRY_TIMEOUT_MS"};
constexpr SettingName kBackoffBaseMs{"--backoff-base-ms", "GANTRY_BACKOFF_BASE_MS"};
constexpr SettingName kBackoffCapMs{"--backoff-cap-ms", "GANTRY_BACKOFF_CAP_MS"};
constexpr SettingName kKindLimit{"--kind-limit", "GANTRY_KIND_LIMITS"};
constexpr SettingName kQueueLimit{"--queue-limit", "GANTRY_QUEUE_LIMITS"};
constexpr SettingName kQueueCapacity{"--queue-capacity", "GANTRY_QUEUE_CAPACITIES"};
constexpr SettingName kKeyLimit{"--key-limit", "GANTRY_KEY_LIMITS"};
constexpr SettingName kKindPolicy{"--kind-policy", "GANTRY_KIND_POLICIES"};
constexpr SettingName kResource{"--resource", "GANTRY_RESOURCES"};

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
// Bounds that catch a typo (a unit off by 1000) without getting in the way
// of any real deployment.
constexpr int64_t kMaxHeartbeatMs = int64_t{3600} * 1000;
// Heartbeat intervals times liveness: the same bound as the worker's,
// whose timers hold the silence window as an int of milliseconds.
constexpr int64_t kMaxLivenessWindowMs = INT32_MAX;
constexpr uint64_t kMaxQueueCapacity = 1'000'000'000;
// A payload travels in one envelope beside its job's other fields.
constexpr uint64_t kMaxPayloadLimit = kMaxEnvelopeBytes - size_t{64} * 1024;

Status checkDatabaseUrl(const std::string& url) {
  if (url.empty()) {
    return settingError(kDatabaseUrl,
                        "not set; give a libpq connection string or URL (e.g. "
                        "postgresql://gantry@db/gantry), or name a file holding one with "
                        "--database-url-file or DATABASE_URL_FILE");
  }
  // Not quoted: what libpq cannot parse may hold the password anywhere.
  if (!pg::isWellFormedConninfo(url)) {
    return settingError(kDatabaseUrl,
                        "the value is not a libpq connection string (key=value pairs) or "
                        "postgresql:// URL");
  }
  return Status::ok();
}

Status checkEndpoints(const BrokerOptions& options) {
  const BrokerConfig& c = options.config;
  for (const auto& [name, endpoint] : {std::pair{kWorkerEndpoint, &c.worker_endpoint},
                                       std::pair{kClientEndpoint, &c.client_endpoint}}) {
    if (Status s = checkBindable(describeSetting(name), *endpoint); !s.isOk()) {
      return s;
    }
  }
  if (!options.metrics_listen.empty()) {
    if (auto address = parseListenAddress(options.metrics_listen); !address.isOk()) {
      return invalidSetting(kMetricsListen, options.metrics_listen, address.status().message());
    }
  }
  return Status::ok();
}

// The single-valued numbers, each within its range.
Status checkNumbers(const BrokerOptions& options) {
  const BrokerConfig& c = options.config;
  const BackoffPolicy& backoff = c.default_policy.backoff;
  for (Status s : {
           checkRange(kDbWaitMs, options.db_wait_ms, 0, kDayMs),
           checkRange(kHeartbeatMs, c.heartbeat_ms, 10, kMaxHeartbeatMs),
           checkRange(kLiveness, c.liveness, 1, UINT32_MAX),
           checkRange(kLeaseGraceMs, c.lease_grace_ms, 1, kDayMs),
           checkRange(kRecoveryGraceMs, c.recovery_grace_ms, 0, kDayMs),
           checkRange(kAgingMs, c.aging_ms, 1, kDayMs * 365),
           checkRange(kRetentionMs, c.retention_ms, 1, kDayMs * 365 * 10),
           checkRange(kMaxPayloadBytes, c.limits.max_payload_bytes, 1, kMaxPayloadLimit),
           checkRange(kQueueCapacityDefault, c.default_queue_capacity, 1, kMaxQueueCapacity),
           checkRange(kKeyLimitDefault, c.default_key_limit, 1,
                      std::numeric_limits<uint32_t>::max()),
           checkRange(kMaxAttempts, c.default_policy.max_attempts, 1, JobLimits{}.max_attempts),
           checkRange(kTimeoutMs, c.default_policy.timeout_ms, 1, JobLimits{}.max_timeout_ms),
           checkRange(kBackoffBaseMs, backoff.base_ms, 1, kDayMs),
           checkRange(kBackoffCapMs, backoff.cap_ms, 1, kDayMs),
       }) {
    if (!s.isOk()) {
      return s;
    }
  }
  if (c.livenessMs() > kMaxLivenessWindowMs) {
    return invalidSetting(kLiveness, std::to_string(c.liveness),
                          "times --heartbeat-ms (" + std::to_string(c.heartbeat_ms) +
                              ") must be at most " + std::to_string(kMaxLivenessWindowMs) + " ms");
  }
  if (backoff.cap_ms < backoff.base_ms) {
    return invalidSetting(
        kBackoffCapMs, std::to_string(backoff.cap_ms),
        "must be at least --backoff-base-ms (" + std::to_string(backoff.base_ms) + ")");
  }
  return Status::ok();
}

}  // namespace

void addBrokerOptions(Settings& settings, BrokerOptions& options) {
  BrokerConfig& c = options.config;
  settings.addSecret(kDatabaseUrl, c.database_url, "Postgres connection string or URL",
                     SecretForm::kConnectionString);
  settings.add(kWorkerEndpoint, c.worker_endpoint, "ZeroMQ endpoint workers connect to");
  settings.add(kClientEndpoint, c.client_endpoint, "ZeroMQ endpoint clients connect to");
  settings.add(kMetricsListen, options.metrics_listen,
               "HOST:PORT for /metrics and health probes (empty: none; port 0: any free)");
  settings.add(kLogLevel, options.log_level, "trace|debug|info|warn|error|off");
  settings.add(kDbWaitMs, options.db_wait_ms, "How long to wait for Postgres at start");
  settings.add(kHeartbeatMs, c.heartbeat_ms, "Heartbeat interval, both directions");
  settings.add(kLiveness, c.liveness, "Missed heartbeats before a worker is dead");
  settings.add(kLeaseGraceMs, c.lease_grace_ms,
               "Wait after a job's deadline before the broker fails the attempt itself");
  settings.add(kRecoveryGraceMs, c.recovery_grace_ms,
               "After a restart, how long running jobs wait for their worker to return");
  settings.add(kAgingMs, c.aging_ms, "Waiting time worth one priority level");
  settings.add(kRetentionMs, c.retention_ms, "How long finished jobs are kept");
  settings.add(kMaxPayloadBytes, c.limits.max_payload_bytes, "Largest job payload");
  settings.add(kQueueCapacityDefault, c.default_queue_capacity,
               "Jobs not yet final one queue may hold");
  settings.add(kKeyLimitDefault, c.default_key_limit, "Running jobs allowed per concurrency key");
  settings.add(kMaxAttempts, c.default_policy.max_attempts, "Default attempts per job");
  settings.add(kTimeoutMs, c.default_policy.timeout_ms, "Default handler deadline");
  settings.add(kBackoffBaseMs, c.default_policy.backoff.base_ms, "Retry backoff base");
  settings.add(kBackoffCapMs, c.default_policy.backoff.cap_ms, "Retry backoff cap");
  settings.add(kKindLimit, options.kind_limits, "KIND=N: pool-wide running cap per kind");
  settings.add(kQueueLimit, options.queue_limits, "QUEUE=N: running cap per queue");
  settings.add(kQueueCapacity, options.queue_capacities, "QUEUE=N: capacity of one queue");
  settings.add(kKeyLimit, options.key_limits, "PREFIX=N: running cap for keys with PREFIX");
  settings.add(kKindPolicy, options.kind_policies,
               "KIND:max_attempts=N,timeout_ms=N,backoff_base_ms=N,backoff_cap_ms=N");
  settings.add(kResource, options.resources,
               "NAME=RATE/UNIT[,burst=N][,failures=N][,open=30s][,hold=1s]: a rate-limited "
               "external resource");
}

Status finalizeBrokerOptions(BrokerOptions& options) {
  BrokerConfig& c = options.config;
  if (Status s = checkDatabaseUrl(c.database_url); !s.isOk()) {
    return s;
  }
  if (Status s = checkEndpoints(options); !s.isOk()) {
    return s;
  }
  if (Status s = checkOneOf(kLogLevel, options.log_level, log::kLevelNames); !s.isOk()) {
    return s;
  }
  if (Status s = checkNumbers(options); !s.isOk()) {
    return s;
  }
  std::map<std::string, uint32_t> key_limits;
  for (Status s : {
           parseLimitItems(kKindLimit, options.kind_limits, c.kind_limits),
           parseLimitItems(kQueueLimit, options.queue_limits, c.queue_limits),
           parseLimitItems(kQueueCapacity, options.queue_capacities, c.queue_capacities),
           parseLimitItems(kKeyLimit, options.key_limits, key_limits),
           parseKindPolicies(kKindPolicy, options.kind_policies, c.default_policy, c.kind_policies),
           parseResourceLimits(kResource, options.resources, c.resources),
       }) {
    if (!s.isOk()) {
      return s;
    }
  }
  c.key_limits.assign(key_limits.begin(), key_limits.end());
  return Status::ok();
}

}  // namespace gantry::broker
