// Broker configuration: one plain struct, every field defaulted, parsed once
// in main (flags and GANTRY_* environment variables) and passed by const
// reference. Limits keyed by name use exact names; key limits use prefixes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gantry/common/backoff.h"
#include "gantry/common/clock.h"
#include "gantry/common/job_spec.h"

namespace gantry::broker {

// How a kind of job is retried and bounded when its spec does not say.
struct KindPolicy {
  BackoffPolicy backoff;
  // Attempts before a retryable failure becomes dead.
  uint32_t max_attempts = 5;
  // Handler deadline per attempt; long enough for slow upstream APIs.
  uint32_t timeout_ms = 30u * 60u * 1000u;
};

// A rate-limited external resource (an upstream API's account-wide limit):
// the broker holds its token bucket and circuit breaker for the whole pool
// (docs/handlers.md, "Resources").
struct ResourceLimit {
  double rate_per_s = 1;  // the provider's documented limit
  // Calls that may go out at once after a quiet spell. Keep it small: the
  // provider counts arrivals, and the network spreads our departures.
  double burst = 1;
  // Consecutive failures (5xx, timeouts) that open the circuit.
  uint32_t failure_threshold = 5;
  // How long an open circuit stays open before one probe job may run.
  TimeMs open_ms = 30'000;
  // How long a pushback without Retry-After holds the resource.
  TimeMs default_hold_ms = 1'000;
};

struct BrokerConfig {
  // Where workers connect (ROUTER). Separate from clients so a flood of
  // submits never delays heartbeats and results.
  std::string worker_endpoint = "tcp://127.0.0.1:5555";
  // Where gantryctl and applications connect (ROUTER).
  std::string client_endpoint = "tcp://127.0.0.1:5556";
  // libpq connection string or URL; required.
  std::string database_url;

  JobLimits limits;
  KindPolicy default_policy;
  std::map<std::string, KindPolicy> kind_policies;

  // Running jobs allowed per concurrency key. One per key is what per-user
  // and per-episode work needs; overrides match by key prefix ("episode:").
  uint32_t default_key_limit = 1;
  std::vector<std::pair<std::string, uint32_t>> key_limits;
  // Pool-wide running caps per kind and per queue (absent = unlimited).
  std::map<std::string, uint32_t> kind_limits;
  std::map<std::string, uint32_t> queue_limits;
  // Jobs not yet final a queue may hold; beyond it submits are refused.
  // Bounds broker memory (~250 bytes per job plus payload).
  uint64_t default_queue_capacity = 1'000'000;
  std::map<std::string, uint64_t> queue_capacities;
  // Rate-limited external resources handlers acquire permits for, by name.
  std::map<std::string, ResourceLimit> resources;

  // Starvation guard: a job waiting this long gains one priority level.
  // Larger keeps priorities strict for longer; smaller favours age.
  int64_t aging_ms = 30'000;

  // Heartbeats both ways; a peer silent for heartbeat_ms * liveness is dead.
  uint32_t heartbeat_ms = 1000;
  uint32_t liveness = 3;
  // After a job's deadline the worker should report a timeout; if it has not
  // within this grace the broker fails the attempt itself.
  uint32_t lease_grace_ms = 5000;
  // After a restart, how long jobs recorded as running wait for their worker
  // to re-announce before they go back to the queue. Covers a worker's
  // liveness window plus its reconnect backoff (up to 5 s).
  uint32_t recovery_grace_ms = 15'000;

  // Finished jobs are kept this long, then dropped by whole partitions.
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  // Writes waiting for the database beyond this make submits fail fast
  // with "unavailable" instead of growing memory without bound.
  uint64_t max_write_backlog = 2'000'000;

  uint32_t keyLimitFor(const std::string& key) const;
  const KindPolicy& policyFor(const std::string& kind) const;
  uint64_t capacityFor(const std::string& queue) const;
  int64_t livenessMs() const { return static_cast<int64_t>(heartbeat_ms) * liveness; }
};

// How every refusal for capacity begins: "queue 'q' is full: N jobs of
// capacity C".
std::string queueFullMessage(const std::string& queue, uint64_t live, uint64_t capacity);

}  // namespace gantry::broker
