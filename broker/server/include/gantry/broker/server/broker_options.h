// gantry-broker's settings: command-line flags, GANTRY_* environment
// variables and the DATABASE_URL secret (the rules of every process are in
// gantry/common/settings.h), and the checks they must pass before anything
// starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gantry/broker/core/config.h"
#include "gantry/common/status.h"

namespace gantry {
class Settings;
}  // namespace gantry

namespace gantry::broker {

// What main needs beyond BrokerConfig.
struct BrokerOptions {
  BrokerConfig config;
  // trace|debug|info|warn|error|off. debug and trace show every request,
  // which helps to follow one job and costs CPU on a busy broker.
  std::string log_level = "info";
  // How long to wait for Postgres at start (compose starts services
  // together). Longer rides out a slow database start; shorter reports a
  // wrong URL or a database that is down sooner.
  int64_t db_wait_ms = 30'000;
  // HOST:PORT of the HTTP endpoint for /metrics and the health probes;
  // empty = no endpoint. 0.0.0.0 lets Prometheus and the orchestrator reach
  // it from other hosts, and so does everyone on that network; 127.0.0.1
  // keeps it on this host. Port 0 picks a free port (tests).
  std::string metrics_listen;
  // NAME=VALUE items as given, turned into config by finalizeBrokerOptions().
  std::vector<std::string> kind_limits;
  std::vector<std::string> queue_limits;
  std::vector<std::string> queue_capacities;
  std::vector<std::string> key_limits;
  std::vector<std::string> kind_policies;
  std::vector<std::string> resources;
};

// Registers every setting on `settings`, bound to `options`.
// REQUIRES: `options` outlives `settings`.
void addBrokerOptions(Settings& settings, BrokerOptions& options);

// Checks every setting and turns the NAME=VALUE lists into config. The
// first problem as one line naming the flag, its variable, the value and
// the rule (setting_checks.h), e.g.
//   --heartbeat-ms (GANTRY_HEARTBEAT_MS): '0' must be between 10 and 3600000
Status finalizeBrokerOptions(BrokerOptions& options);

}  // namespace gantry::broker
