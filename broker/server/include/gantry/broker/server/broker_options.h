// Command-line flags and GANTRY_* environment variables for gantry-broker.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gantry/broker/core/config.h"
#include "gantry/common/status.h"

namespace gantry::broker {

// What main needs beyond BrokerConfig.
struct BrokerOptions {
  BrokerConfig config;
  std::string log_level = "info";
  // HOST:PORT of /metrics and the health probes; empty serves neither.
  std::string metrics_listen;
  // Read when database_url is empty (secrets mounted as files).
  std::string database_url_file;
  // How long to wait for Postgres at start (compose starts services together).
  int64_t db_wait_ms = 30'000;
  // Raw "NAME=VALUE" flags, turned into config by finalize().
  std::vector<std::string> kind_limits;
  std::vector<std::string> queue_limits;
  std::vector<std::string> queue_capacities;
  std::vector<std::string> key_limits;
  std::vector<std::string> kind_policies;
};

// Registers every flag on `app`, bound to `options`.
void addBrokerOptions(CLI::App& app, BrokerOptions& options);

// Parses the NAME=VALUE lists and checks cross-field rules. The message
// names the flag and what is wrong with it.
Status finalizeBrokerOptions(BrokerOptions& options);

}  // namespace gantry::broker
