// gantry-worker: parse the config, register handlers, run until SIGTERM or
// SIGINT, exit 0 after a graceful shutdown. Exit 2 on bad configuration.
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
#include "gantry/worker/builtin_handlers.h"
#include "gantry/worker/worker.h"

namespace {

constexpr int kExitBadConfig = 2;

std::atomic<gantry::worker::Worker*> g_worker{nullptr};

extern "C" void onStopSignal(int) {
  if (auto* worker = g_worker.load()) {
    worker->requestStop();  // async-signal-safe by contract
  }
}

void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int badConfig(const std::string& message) {
  std::cerr << "gantry-worker: " << message << "\n";
  return kExitBadConfig;
}

int run(int argc, char** argv) {
  using gantry::worker::WorkerConfig;
  WorkerConfig config;

  CLI::App app{"gantry-worker: runs jobs the Gantry broker assigns"};
  app.add_option("--broker", config.broker_endpoint, "Broker worker endpoint")
      ->envname("GANTRY_WORKER_ENDPOINT")
      ->capture_default_str();
  app.add_option("--concurrency", config.concurrency, "Jobs run at once (handler threads)")
      ->envname("GANTRY_CONCURRENCY")
      ->capture_default_str();
  app.add_option("--kinds", config.kinds, "Job kinds to run, comma-separated (default: all)")
      ->delimiter(',');
  app.add_option("--id", config.worker_id, "Worker id (default: <host>-<pid>)");
  app.add_option("--heartbeat-ms", config.heartbeat_ms, "Heartbeat interval")
      ->capture_default_str();
  app.add_option("--liveness", config.liveness, "Silent heartbeats before reconnecting")
      ->capture_default_str();
  app.add_option("--shutdown-grace-ms", config.shutdown_grace_ms,
                 "Time running jobs get to finish on SIGTERM")
      ->capture_default_str();
  app.add_option("--metrics-listen", config.metrics_listen,
                 "HOST:PORT serving /metrics, /livez, /readyz, /startupz (empty: none)")
      ->envname("GANTRY_METRICS_LISTEN");
  app.add_option("--log-level", config.log_level, "trace|debug|info|warn|error|off")
      ->envname("GANTRY_LOG_LEVEL")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help
  } catch (const CLI::ParseError& e) {
    return badConfig(std::string("invalid arguments: ") + e.what());
  }

  gantry::worker::HandlerRegistry registry;
  if (auto status = gantry::worker::addBuiltinHandlers(registry); !status.isOk()) {
    return badConfig(status.toString());
  }
  if (auto status = gantry::worker::validateConfig(config, registry); !status.isOk()) {
    return badConfig("invalid configuration: " + status.message());
  }
  gantry::log::init("worker", config.log_level);

  gantry::obs::Observability obs("worker");
  gantry::worker::Worker worker(config, registry, gantry::SystemClock::instance());
  worker.observeWith(obs);
  auto listener = obs.serve(config.metrics_listen);
  if (!listener.isOk()) {
    return badConfig("--metrics-listen: " + listener.status().message());
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
    std::cerr << "gantry-worker: " << e.what() << "\n";
    return EXIT_FAILURE;
  }
}
