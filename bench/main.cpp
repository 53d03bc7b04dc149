// gantry-bench: starts a private Postgres, then for each scenario a broker
// and workers, measures, and prints the median, min and max of N runs as a
// table (or JSON). Exit 0 when every chosen scenario was measured or
// skipped, 1 when one failed, 2 on bad usage.
#include <sys/utsname.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "deployment.h"
#include "otlp_sink.h"
#include "report.h"
#include "scenario.h"
#include "scraper.h"
#include "stop_flag.h"
#include "trace_window.h"

namespace gantry::bench {

std::vector<Scenario> allScenarios() {
  return {drainScenario(),
          drainMixScenario(),
          enqueueSingleScenario(),
          enqueueBatchScenario(),
          latencyScenario(),
          memoryScenario(),
          permitsOneWorkerScenario(),
          permitsEightWorkersScenario(),
          recoveryScenario(),
          recoverySilentScenario(),
          restartScenario(),
          drainWithHistoryScenario()};
}

std::vector<Sample> repeat(const Scenario& scenario, int runs,
                           const std::function<Sample(int)>& one) {
  std::vector<Sample> samples;
  for (int run = 1; run <= runs; ++run) {
    throwIfStopped();
    Sample sample = one(run);
    const MetricSpec& headline = scenario.metrics.front();
    std::cerr << "  " << scenario.name << " run " << run << "/" << runs << ": " << headline.name
              << " " << std::fixed << std::setprecision(headline.decimals) << sample[headline.name]
              << " " << headline.unit << "\n";
    samples.push_back(std::move(sample));
  }
  return samples;
}

namespace {

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

std::string machineDescription() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname u{};
  ::uname(&u);
  // Other work on the machine skews every figure; say how busy it was.
  std::string load;
  std::ifstream loadavg("/proc/loadavg");
  loadavg >> load;
  return std::to_string(std::thread::hardware_concurrency()) + " cores (" + model + "), Linux " +
         u.release + ", load average " + load +
         " at start; Postgres, broker, workers and client share the cores";
}

int run(int argc, char** argv) {
  CLI::App app{"gantry-bench: throughput, latency, memory and recovery of a local Gantry"};
  int runs = 3;
  std::string only;
  bool json = false;
  bool keep_logs = false;
  bool list = false;
  bool windows = false;
  bool scrape = false;
  bool trace = false;
  app.add_option("--runs", runs, "Runs per scenario; figures are their median")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  app.add_option("--scenario", only, "Run only this scenario (see --list)");
  app.add_flag("--json", json, "Print the figures as JSON instead of a table");
  app.add_flag("--keep-logs", keep_logs, "Keep every run's logs and sockets directory");
  app.add_flag("--list", list, "List the scenarios and exit");
  app.add_flag("--scrape", scrape,
               "Broker and workers serve /metrics, fetched every second while measuring");
  app.add_flag("--trace", trace,
               "Every job traced (sampled), spans exported by broker and workers to a local sink");
  app.add_flag("--windows", windows,
               "Print each measured interval in CLOCK_MONOTONIC seconds (to cut perf profiles)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::vector<Scenario> scenarios = allScenarios();
  if (list) {
    for (const Scenario& s : scenarios) {
      std::cout << std::left << std::setw(20) << s.name << s.summary << "\n";
    }
    return 0;
  }
  if (!only.empty()) {
    std::erase_if(scenarios, [&](const Scenario& s) { return s.name != only; });
    if (scenarios.empty()) {
      std::cerr << "gantry-bench: unknown scenario '" << only << "' (see --list)\n";
      return 2;
    }
  }
  Deployment::setKeepLogs(keep_logs);
  Scraper::enable(scrape);
  OtlpSink::enable(trace);
  enableWindowTrace(windows);
  installStopHandlers();

  RunInfo info;
  info.date = utcNow();
  info.machine = machineDescription();
  info.runs = runs;
  try {
    info.postgres = postgresDescription();
  } catch (const std::exception& e) {
    std::cerr << "gantry-bench: cannot start Postgres: " << e.what() << "\n";
    return 1;
  }

  std::vector<ScenarioOutcome> outcomes;
  for (const Scenario& s : scenarios) {
    if (stopRequested()) {
      break;
    }
    std::cerr << s.name << ": " << s.summary << "\n";
    ScenarioOutcome outcome;
    outcome.scenario = &s;
    const auto started = std::chrono::steady_clock::now();
    try {
      outcome.samples = s.run(runs);
    } catch (const SkipScenario& e) {
      outcome.skipped = e.what();
      std::cerr << "  skipped: " << e.what() << "\n";
    } catch (const std::exception& e) {
      outcome.failed = e.what();
      std::cerr << "  FAILED: " << e.what() << "\n";
    }
    outcome.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcomes.push_back(std::move(outcome));
  }

  if (json) {
    std::cout << toJson(info, outcomes).dump(2) << "\n";
  } else {
    std::cout << "\n";
    printTable(std::cout, info, outcomes);
  }
  const bool failed = std::any_of(outcomes.begin(), outcomes.end(),
                                  [](const ScenarioOutcome& o) { return !o.failed.empty(); });
  return failed || stopRequested() ? 1 : 0;
}

}  // namespace
}  // namespace gantry::bench

int main(int argc, char** argv) {
  // The last stop for an exception nothing else caught: one line and a
  // failure exit rather than std::terminate.
  try {
    return gantry::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "gantry-bench: " << e.what() << "\n";
    return 1;
  }
}
