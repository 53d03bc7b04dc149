// gantry-provider-sim: serve the simulated Graph, Zoom and OpenAI-compatible
// APIs until SIGTERM or SIGINT (docs/provider-sim.md). Exit 2
// (kExitBadConfig) on bad configuration, 1 when starting failed.
#include <cstdlib>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "gantry/common/clock.h"
#include "gantry/common/log.h"
#include "gantry/common/settings.h"
#include "gantry/obs/health.h"
#include "gantry/obs/observability.h"
#include "gantry/sim/sim_config.h"
#include "gantry/sim/simulator.h"

namespace {

int run(int argc, char** argv) {
  gantry::sim::SimConfig config;
  CLI::App app{"gantry-provider-sim: simulated Microsoft Graph, Zoom and OpenAI-compatible APIs"};
  gantry::Settings settings(app, "gantry-provider-sim");
  gantry::sim::addSimSettings(settings, config);
  settings.addPrintConfig();
  if (auto code = settings.parseCommandLine(
          argc, argv, [&] { return gantry::sim::validateConfig(config); }, std::cout, std::cerr)) {
    return *code;
  }
  gantry::log::init("provider-sim", config.log_level);

  gantry::obs::Observability obs("provider-sim");
  gantry::obs::FlagCheck serving(false, "starting");
  obs.health().add("listener",
                   gantry::obs::probes({gantry::obs::Probe::kReady, gantry::obs::Probe::kStartup}),
                   serving.asCheck());
  auto listener = obs.serve(config.metrics_listen);
  if (!listener.isOk()) {
    std::cerr << "gantry-provider-sim: --metrics-listen (GANTRY_METRICS_LISTEN): "
              << listener.status().message() << "\n";
    return gantry::kExitBadConfig;
  }
  auto sim = gantry::sim::Simulator::start(config, obs, gantry::SystemClock::instance());
  if (!sim.isOk()) {
    std::cerr << "gantry-provider-sim: " << sim.status().message() << "\n";
    return EXIT_FAILURE;
  }
  serving.set(true, "serving on " + sim.value()->address());
  sim.value()->run();
  serving.set(false, "stopped");
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "gantry-provider-sim: " << e.what() << "\n";
    return EXIT_FAILURE;
  }
}
