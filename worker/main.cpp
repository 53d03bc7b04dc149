// gantry-worker: read the settings, register handlers, run until SIGTERM or
// SIGINT, exit 0 after a graceful shutdown (or --help, --print-config).
// Exit 2 (kExitBadConfig) on bad configuration, 1 when running failed.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "gantry/common/clock.h"
#include "gantry/common/log.h"
#include "gantry/common/secret_mask.h"
#include "gantry/common/settings.h"
#include "gantry/obs/observability.h"
#include "gantry/obs/trace_metrics.h"
#include "gantry/trace/tracer.h"
#include "gantry/trace/tracing_settings.h"
#include "gantry/worker/builtin_handlers.h"
#include "gantry/worker/database.h"
#include "gantry/worker/http_kind.h"
#include "gantry/worker/worker.h"

namespace {

std::atomic<gantry::worker::Worker*> g_worker{nullptr};

extern "C" void onStopSignal(int) {
  if (auto* worker = g_worker.load()) {
    worker->requestStop();  // async-signal-safe by contract
  }
}

// Registers the handlers this worker runs. A handler that writes domain rows
// takes `database` in its constructor and shares it with the others; it is
// null when --handler-database-url is unset, and such a handler then
// returns an error here naming that setting, which stops the worker at
// start. The built-in handlers need no database.
gantry::Status addHandlers(
    gantry::worker::HandlerRegistry& registry,
    [[maybe_unused]] const std::shared_ptr<gantry::worker::Database>& database) {
  return gantry::worker::addBuiltinHandlers(registry);
}

void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int run(int argc, char** argv) {
  gantry::worker::WorkerConfig config;
  gantry::worker::HandlerRegistry registry;
  gantry::worker::HttpKindConfig http_kinds;
  // Built once the settings are read: handlers may need the database they
  // name, and --kinds is checked against what was registered.
  std::shared_ptr<gantry::worker::Database> database;
  const auto setUp = [&]() -> gantry::Status {
    if (gantry::Status status = gantry::worker::checkHandlerDatabase(config); !status.isOk()) {
      return status;
    }
    if (!config.handler_database_url.empty()) {
      database = std::make_shared<gantry::worker::Database>(
          gantry::pg::PoolOptions{config.handler_database_url, config.handler_database_pool_size});
    }
    if (gantry::Status status = addHandlers(registry, database); !status.isOk()) {
      return status;
    }
    // The http kinds before the check: --kinds may name them.
    if (gantry::Status status = gantry::worker::addHttpKinds(registry, http_kinds);
        !status.isOk()) {
      return status;
    }
    return gantry::worker::validateConfig(config, registry);
  };

  CLI::App app{"gantry-worker: runs jobs the Gantry broker assigns"};
  gantry::Settings settings(app, "gantry-worker");
  gantry::worker::addWorkerSettings(settings, config);
  gantry::worker::addHttpKindSettings(settings, http_kinds);
  gantry::trace::TracingSettings tracing_settings;
  gantry::trace::addTracingSettings(settings, tracing_settings);
  settings.addPrintConfig();
  if (auto code = settings.parseCommandLine(
          argc, argv,
          [&] {
            const gantry::Status status = setUp();
            return status.isOk() ? gantry::trace::tracerConfigFrom(tracing_settings).status()
                                 : status;
          },
          std::cout, std::cerr)) {
    return *code;
  }
  gantry::log::init("worker", config.log_level);

  auto tracing = gantry::trace::tracerConfigFrom(tracing_settings);
  if (!tracing.isOk()) {
    std::cerr << "gantry-worker: " << settings.scrub(tracing.status().message()) << "\n";
    return gantry::kExitBadConfig;
  }
  gantry::trace::Tracer tracer(tracing.value(), "gantry-worker");
  gantry::obs::Observability obs("worker");
  gantry::obs::addTraceMetrics(obs, tracer);
  gantry::worker::Worker worker(config, registry, gantry::SystemClock::instance());
  worker.observeWith(obs);
  worker.traceWith(tracer);
  auto listener = obs.serve(config.metrics_listen);
  if (!listener.isOk()) {
    std::cerr << "gantry-worker: --metrics-listen (GANTRY_METRICS_LISTEN): "
              << listener.status().message() << "\n";
    return gantry::kExitBadConfig;
  }
  g_worker.store(&worker);
  installStopHandlers();
  const gantry::Status status = worker.run();
  if (!status.isOk()) {
    std::cerr << "gantry-worker: " << status.toString() << "\n";
    return EXIT_FAILURE;
  }
  if (worker.runningHandlers() > 0) {
    // Those handlers ignored cancellation; their jobs were handed back and
    // waiting for them could block forever, so leave without unwinding.
    std::fflush(nullptr);
    std::_Exit(EXIT_SUCCESS);
  }
  g_worker.store(nullptr);
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  // The last stop for an exception nothing else caught: one line and a
  // failure exit rather than std::terminate.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    g_worker.store(nullptr);
    std::cerr << "gantry-worker: " << gantry::maskConnectionSecrets(e.what()) << "\n";
    return EXIT_FAILURE;
  }
}
