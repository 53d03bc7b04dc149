// gantry-broker: settings -> config -> BrokerServer -> run until
// SIGTERM/SIGINT. Exit codes: 0 after a clean stop (or --help,
// --print-config), 1 when serving failed, 2 (kExitBadConfig) for bad
// configuration.
#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "gantry/broker/server/broker_health.h"
#include "gantry/broker/server/broker_metrics.h"
#include "gantry/broker/server/broker_options.h"
#include "gantry/broker/server/broker_server.h"
#include "gantry/broker/server/broker_tracing.h"
#include "gantry/common/log.h"
#include "gantry/common/secret_mask.h"
#include "gantry/common/settings.h"
#include "gantry/obs/observability.h"
#include "gantry/obs/trace_metrics.h"
#include "gantry/trace/tracer.h"
#include "gantry/trace/tracing_settings.h"

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
  gantry::Settings settings(app, "gantry-broker");
  gantry::broker::addBrokerOptions(settings, options);
  gantry::trace::TracingSettings tracing_settings;
  gantry::trace::addTracingSettings(settings, tracing_settings);
  settings.addPrintConfig();
  if (auto code = settings.parseCommandLine(
          argc, argv,
          [&] {
            const gantry::Status status = gantry::broker::finalizeBrokerOptions(options);
            return status.isOk() ? gantry::trace::tracerConfigFrom(tracing_settings).status()
                                 : status;
          },
          std::cout, std::cerr)) {
    return *code;
  }
  gantry::log::init("broker", options.log_level);

  auto tracing = gantry::trace::tracerConfigFrom(tracing_settings);
  if (!tracing.isOk()) {
    std::cerr << "gantry-broker: " << settings.scrub(tracing.status().message()) << "\n";
    return gantry::kExitBadConfig;
  }
  gantry::trace::Tracer tracer(tracing.value(), "gantry-broker");
  gantry::broker::BrokerTracing broker_tracing(tracer);
  // Served before start(): a standby broker answers its probes too.
  gantry::obs::Observability obs("broker");
  gantry::obs::addTraceMetrics(obs, tracer);
  gantry::broker::BrokerHealth health(obs.health(), gantry::SystemClock::instance());
  gantry::broker::BrokerMetrics metrics(obs);
  auto listener = obs.serve(options.metrics_listen);
  if (!listener.isOk()) {
    std::cerr << "gantry-broker: --metrics-listen (GANTRY_METRICS_LISTEN): "
              << listener.status().message() << "\n";
    return gantry::kExitBadConfig;
  }
  gantry::broker::BrokerServer server(options.config, gantry::SystemClock::instance(),
                                      {metrics, health, broker_tracing});
  // Before start(): a standby broker waits there and must stop on a signal.
  g_server = &server;
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  if (auto s = server.start(options.db_wait_ms); !s.isOk()) {
    if (server.stopRequested()) {
      gantry::log::info("broker stopped before serving", {{"reason", s.message()}});
      return 0;
    }
    const std::string message = settings.scrub(s.message());
    gantry::log::error("broker cannot start", {{"error", message}});
    std::cerr << "gantry-broker: " << message << "\n";
    // A bad endpoint is a configuration error like a bad flag.
    return s.code() == gantry::StatusCode::kInvalidArgument ? gantry::kExitBadConfig : 1;
  }
  const gantry::Status served = server.run();
  g_server = nullptr;
  if (!served.isOk()) {
    std::cerr << "gantry-broker: " << settings.scrub(served.message()) << "\n";
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
    std::cerr << "gantry-broker: " << gantry::maskConnectionSecrets(e.what()) << "\n";
    return 1;
  }
}
