// gantry-broker: flags -> config -> BrokerServer -> run until SIGTERM/SIGINT.
#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "gantry/broker/server/broker_health.h"
#include "gantry/broker/server/broker_metrics.h"
#include "gantry/broker/server/broker_options.h"
#include "gantry/broker/server/broker_server.h"
#include "gantry/common/log.h"
#include "gantry/obs/observability.h"

namespace {

gantry::broker::BrokerServer* g_server = nullptr;

void onSignal(int) {
  if (g_server != nullptr) {
    g_server->requestStop();  // writes an eventfd: async-signal-safe
  }
}

int run(int argc, char** argv) {
  CLI::App app{"gantry-broker: the priority broker of a Gantry deployment"};
  gantry::broker::BrokerOptions options;
  gantry::broker::addBrokerOptions(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "gantry-broker: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (auto s = gantry::broker::finalizeBrokerOptions(options); !s.isOk()) {
    std::cerr << "gantry-broker: " << s.message() << "\n";
    return 2;
  }
  gantry::log::init("broker", options.log_level);

  // Served before start(): a standby broker answers its probes too.
  gantry::obs::Observability obs("broker");
  gantry::broker::BrokerHealth health(obs.health(), gantry::SystemClock::instance());
  gantry::broker::BrokerMetrics metrics(obs);
  auto listener = obs.serve(options.metrics_listen);
  if (!listener.isOk()) {
    std::cerr << "gantry-broker: --metrics-listen: " << listener.status().message() << "\n";
    return 2;
  }
  gantry::broker::BrokerServer server(options.config, gantry::SystemClock::instance(), metrics,
                                      health);
  // Before start(): a standby broker waits there and must stop on a signal.
  g_server = &server;
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  if (auto s = server.start(options.db_wait_ms); !s.isOk()) {
    if (server.stopRequested()) {
      gantry::log::info("broker stopped before serving", {{"reason", s.message()}});
      return 0;
    }
    gantry::log::error("broker cannot start", {{"error", s.message()}});
    std::cerr << "gantry-broker: " << s.message() << "\n";
    // A bad endpoint is a configuration error like a bad flag.
    return s.code() == gantry::StatusCode::kInvalidArgument ? 2 : 1;
  }
  const gantry::Status served = server.run();
  g_server = nullptr;
  if (!served.isOk()) {
    std::cerr << "gantry-broker: " << served.message() << "\n";
    return 1;  // a supervisor restarts it as a standby
  }
  gantry::log::info("broker stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The last stop for an exception nothing else caught: one line and a
  // failure exit rather than std::terminate.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    g_server = nullptr;
    std::cerr << "gantry-broker: " << e.what() << "\n";
    return 1;
  }
}
