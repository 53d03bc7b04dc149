// Configuration of one worker process. Read once in main (flags and
// GANTRY_* environment variables, through Settings), validated before
// anything starts, then passed by const reference. Plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gantry/common/status.h"
#include "gantry/worker/handler_registry.h"

namespace gantry {
class Settings;
}  // namespace gantry

namespace gantry::worker {

struct WorkerConfig {
  // The broker's worker-facing ROUTER endpoint. tcp:// across hosts, ipc://
  // on one host.
  std::string broker_endpoint = "tcp://127.0.0.1:5555";
  // Handler threads = jobs run at once. Size it to the work: I/O-bound
  // handlers tolerate more than cores; CPU-bound ones should not exceed them.
  uint32_t concurrency = 4;
  // Kinds to announce; empty = every registered kind. Restricting kinds lets
  // an operator dedicate a pool to slow or rate-limited work.
  std::vector<std::string> kinds;
  // Identity in hello, logs and `gantryctl workers`; empty = "<host>-<pid>".
  // Must be unique among live workers.
  std::string worker_id;
  // How often a heartbeat is sent. Shorter notices a dead broker sooner but
  // costs traffic on every worker; must match the broker's expectations.
  uint32_t heartbeat_ms = 1000;
  // Heartbeat intervals of broker silence before reconnecting. Lower means
  // faster failover and more spurious reconnects on a busy network.
  uint32_t liveness = 3;
  // Time running jobs get to finish after SIGTERM before they are cancelled
  // and handed back. Keep it below the orchestrator's kill timeout.
  uint32_t shutdown_grace_ms = 30000;
  // Reconnect delay: exponential from initial to max, with full jitter so a
  // restarted broker is not hit by every worker at once.
  uint32_t reconnect_initial_ms = 100;
  uint32_t reconnect_max_ms = 5000;
  // Longest wait at exit for queued messages (results, hand-backs) to reach
  // the broker. Results lost here are recovered by lease expiry.
  uint32_t flush_timeout_ms = 2000;
  // trace|debug|info|warn|error|off. debug shows every message exchanged
  // with the broker, which helps to follow a job and costs CPU per job.
  std::string log_level = "info";
  // HOST:PORT of the HTTP endpoint for /metrics and the health probes;
  // empty = no endpoint. 0.0.0.0 lets Prometheus and the orchestrator reach
  // it from other hosts, and so does everyone on that network; 127.0.0.1
  // keeps it on this host. Port 0 picks a free port, which suits several
  // workers on one host only when something discovers the port.
  std::string metrics_listen;
  // Postgres for handlers' own writes (docs/database-pool.md): a libpq
  // key=value string or postgresql:// URI; empty = handlers get no
  // Database. A secret: --print-config shows it with the password masked.
  std::string handler_database_url;
  // The most connections the handlers' pool opens (lazily). Every worker
  // process has its own pool, so the server sees up to this times the
  // workers; more than --concurrency is never used.
  uint32_t handler_database_pool_size = 4;
};

// Registers every setting that has a flag on `settings`, bound to
// `config`. REQUIRES: `config` outlives `settings`.
void addWorkerSettings(Settings& settings, WorkerConfig& config);

// Checks every field; the first problem as one line naming the flag, its
// variable, the value and the rule (setting_checks.h). Kinds must be
// registered in `registry`.
Status validateConfig(const WorkerConfig& config, const HandlerRegistry& registry);

// The handler database settings alone (part of validateConfig), for main
// to check before it builds the Database that handlers are given.
Status checkHandlerDatabase(const WorkerConfig& config);

// "<hostname>-<pid>", the default worker id.
std::string defaultWorkerId();
// This machine's host name ("unknown" if it cannot be read).
std::string hostName();

}  // namespace gantry::worker
