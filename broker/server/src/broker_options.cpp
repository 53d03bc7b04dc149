#include "gantry/broker/server/broker_options.h"

#include <charconv>
#include <fstream>
#include <limits>

#include "gantry/broker/server/endpoint_check.h"

namespace gantry::broker {
namespace {

Result<uint64_t> parseNumber(const std::string& text, const std::string& flag) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return invalidArgument(flag + ": '" + text + "' is not a non-negative integer");
  }
  return value;
}

Result<std::pair<std::string, std::string>> splitAssignment(const std::string& item,
                                                            const std::string& flag) {
  const auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0) {
    return invalidArgument(flag + ": expected NAME=VALUE, got '" + item + "'");
  }
  return std::make_pair(item.substr(0, eq), item.substr(eq + 1));
}

// NAME=N items; N must be at least 1 (a limit of 0 would silently stop a
// kind, queue or key forever) and fit the map's value type.
template <typename Map>
Status parseLimits(const std::vector<std::string>& items, const std::string& flag, Map& out) {
  using Value = typename Map::mapped_type;
  for (const auto& item : items) {
    auto pair = splitAssignment(item, flag);
    if (!pair.isOk()) {
      return pair.status();
    }
    auto number = parseNumber(pair->second, flag);
    if (!number.isOk()) {
      return number.status();
    }
    if (*number == 0 || *number > std::numeric_limits<Value>::max()) {
      return invalidArgument(flag + ": " + pair->first + " must be between 1 and " +
                             std::to_string(std::numeric_limits<Value>::max()));
    }
    out[pair->first] = static_cast<Value>(*number);
  }
  return Status::ok();
}

// "kind:max_attempts=3,timeout_ms=1000,backoff_base_ms=100,backoff_cap_ms=5000"
Status parseKindPolicy(const std::string& item, const KindPolicy& defaults,
                       std::map<std::string, KindPolicy>& out) {
  const std::string flag = "--kind-policy";
  const auto colon = item.find(':');
  if (colon == std::string::npos || colon == 0) {
    return invalidArgument(flag + ": expected KIND:field=value,..., got '" + item + "'");
  }
  KindPolicy policy = defaults;
  std::string rest = item.substr(colon + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string field = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    auto pair = splitAssignment(field, flag);
    if (!pair.isOk()) {
      return pair.status();
    }
    auto number = parseNumber(pair->second, flag);
    if (!number.isOk()) {
      return number.status();
    }
    if (*number > std::numeric_limits<uint32_t>::max()) {
      return invalidArgument(flag + ": " + pair->first + " is out of range");
    }
    const auto value = static_cast<uint32_t>(*number);
    if (pair->first == "max_attempts") {
      policy.max_attempts = value;
    } else if (pair->first == "timeout_ms") {
      policy.timeout_ms = value;
    } else if (pair->first == "backoff_base_ms") {
      policy.backoff.base_ms = value;
    } else if (pair->first == "backoff_cap_ms") {
      policy.backoff.cap_ms = value;
    } else {
      return invalidArgument(flag + ": unknown field '" + pair->first +
                             "' (max_attempts, timeout_ms, backoff_base_ms, backoff_cap_ms)");
    }
  }
  out[item.substr(0, colon)] = policy;
  return Status::ok();
}

Status checkPolicy(const KindPolicy& policy, const std::string& what) {
  if (policy.max_attempts == 0) {
    return invalidArgument(what + ": max attempts must be at least 1");
  }
  if (policy.timeout_ms == 0 || policy.timeout_ms > JobLimits{}.max_timeout_ms) {
    return invalidArgument(what + ": timeout must be between 1 ms and " +
                           std::to_string(JobLimits{}.max_timeout_ms) + " ms");
  }
  if (policy.backoff.base_ms == 0 || policy.backoff.cap_ms < policy.backoff.base_ms) {
    return invalidArgument(what + ": backoff needs 0 < base <= cap");
  }
  return Status::ok();
}

}  // namespace

void addBrokerOptions(CLI::App& app, BrokerOptions& options) {
  BrokerConfig& c = options.config;
  app.add_option("--database-url", c.database_url, "Postgres connection string or URL")
      ->envname("DATABASE_URL");
  app.add_option("--metrics-listen", options.metrics_listen,
                 "HOST:PORT serving /metrics, /livez, /readyz, /startupz (empty: none)")
      ->envname("GANTRY_METRICS_LISTEN");
  app.add_option("--database-url-file", options.database_url_file,
                 "File holding the connection string (for secrets mounted as files)")
      ->envname("DATABASE_URL_FILE");
  app.add_option("--worker-endpoint", c.worker_endpoint, "ZeroMQ endpoint workers connect to")
      ->envname("GANTRY_WORKER_ENDPOINT")
      ->capture_default_str();
  app.add_option("--client-endpoint", c.client_endpoint, "ZeroMQ endpoint clients connect to")
      ->envname("GANTRY_CLIENT_ENDPOINT")
      ->capture_default_str();
  app.add_option("--log-level", options.log_level, "trace|debug|info|warn|error")
      ->envname("GANTRY_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--db-wait-ms", options.db_wait_ms, "How long to wait for Postgres at start")
      ->envname("GANTRY_DB_WAIT_MS")
      ->capture_default_str();
  app.add_option("--heartbeat-ms", c.heartbeat_ms, "Heartbeat interval, both directions")
      ->envname("GANTRY_HEARTBEAT_MS")
      ->capture_default_str();
  app.add_option("--liveness", c.liveness, "Missed heartbeats before a worker is dead")
      ->envname("GANTRY_LIVENESS")
      ->capture_default_str();
  app.add_option("--lease-grace-ms", c.lease_grace_ms,
                 "Wait after a job's deadline before the broker fails the attempt itself")
      ->envname("GANTRY_LEASE_GRACE_MS")
      ->capture_default_str();
  app.add_option("--recovery-grace-ms", c.recovery_grace_ms,
                 "After a restart, how long running jobs wait for their worker to return")
      ->envname("GANTRY_RECOVERY_GRACE_MS")
      ->capture_default_str();
  app.add_option("--aging-ms", c.aging_ms, "Waiting time worth one priority level")
      ->envname("GANTRY_AGING_MS")
      ->capture_default_str();
  app.add_option("--retention-ms", c.retention_ms, "How long finished jobs are kept")
      ->envname("GANTRY_RETENTION_MS")
      ->capture_default_str();
  app.add_option("--max-payload-bytes", c.limits.max_payload_bytes, "Largest job payload")
      ->envname("GANTRY_MAX_PAYLOAD_BYTES")
      ->capture_default_str();
  app.add_option("--queue-capacity-default", c.default_queue_capacity,
                 "Jobs not yet final one queue may hold")
      ->envname("GANTRY_QUEUE_CAPACITY")
      ->capture_default_str();
  app.add_option("--key-limit-default", c.default_key_limit,
                 "Running jobs allowed per concurrency key")
      ->envname("GANTRY_KEY_LIMIT")
      ->capture_default_str();
  app.add_option("--max-attempts", c.default_policy.max_attempts, "Default attempts per job")
      ->envname("GANTRY_MAX_ATTEMPTS")
      ->capture_default_str();
  app.add_option("--timeout-ms", c.default_policy.timeout_ms, "Default handler deadline")
      ->envname("GANTRY_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--backoff-base-ms", c.default_policy.backoff.base_ms, "Retry backoff base")
      ->envname("GANTRY_BACKOFF_BASE_MS")
      ->capture_default_str();
  app.add_option("--backoff-cap-ms", c.default_policy.backoff.cap_ms, "Retry backoff cap")
      ->envname("GANTRY_BACKOFF_CAP_MS")
      ->capture_default_str();
  app.add_option("--kind-limit", options.kind_limits, "KIND=N: pool-wide running cap per kind");
  app.add_option("--queue-limit", options.queue_limits, "QUEUE=N: running cap per queue");
  app.add_option("--queue-capacity", options.queue_capacities, "QUEUE=N: capacity of one queue");
  app.add_option("--key-limit", options.key_limits, "PREFIX=N: running cap for keys with PREFIX");
  app.add_option("--kind-policy", options.kind_policies,
                 "KIND:max_attempts=N,timeout_ms=N,backoff_base_ms=N,backoff_cap_ms=N");
}

Status finalizeBrokerOptions(BrokerOptions& options) {
  BrokerConfig& c = options.config;
  if (c.database_url.empty() && !options.database_url_file.empty()) {
    std::ifstream in(options.database_url_file);
    if (!in) {
      return invalidArgument("--database-url-file: cannot read " + options.database_url_file);
    }
    std::getline(in, c.database_url);
  }
  if (c.database_url.empty()) {
    return invalidArgument("--database-url (or DATABASE_URL / DATABASE_URL_FILE) is required");
  }
  for (const auto& [flag, endpoint] : {std::pair{"--worker-endpoint", &c.worker_endpoint},
                                       std::pair{"--client-endpoint", &c.client_endpoint}}) {
    if (Status s = checkBindable(flag, *endpoint); !s.isOk()) {
      return s;
    }
  }
  if (c.default_key_limit == 0 || c.default_queue_capacity == 0 || c.lease_grace_ms == 0) {
    return invalidArgument(
        "--key-limit-default, --queue-capacity-default and --lease-grace-ms must be positive");
  }
  if (c.heartbeat_ms == 0 || c.liveness == 0) {
    return invalidArgument("--heartbeat-ms and --liveness must be positive");
  }
  if (c.aging_ms <= 0) {
    return invalidArgument("--aging-ms must be positive");
  }
  if (c.retention_ms <= 0) {
    return invalidArgument("--retention-ms must be positive");
  }
  if (Status s = checkPolicy(c.default_policy, "default retry policy"); !s.isOk()) {
    return s;
  }
  if (Status s = parseLimits(options.kind_limits, "--kind-limit", c.kind_limits); !s.isOk()) {
    return s;
  }
  if (Status s = parseLimits(options.queue_limits, "--queue-limit", c.queue_limits); !s.isOk()) {
    return s;
  }
  if (Status s = parseLimits(options.queue_capacities, "--queue-capacity", c.queue_capacities);
      !s.isOk()) {
    return s;
  }
  std::map<std::string, uint32_t> key_limits;
  if (Status s = parseLimits(options.key_limits, "--key-limit", key_limits); !s.isOk()) {
    return s;
  }
  c.key_limits.assign(key_limits.begin(), key_limits.end());
  for (const auto& item : options.kind_policies) {
    if (Status s = parseKindPolicy(item, c.default_policy, c.kind_policies); !s.isOk()) {
      return s;
    }
  }
  for (const auto& [kind, policy] : c.kind_policies) {
    if (Status s = checkPolicy(policy, "--kind-policy " + kind); !s.isOk()) {
      return s;
    }
  }
  return Status::ok();
}

}  // namespace gantry::broker
