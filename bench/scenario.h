// What a benchmark scenario is: a name, the figures it reports (with their
// targets) and a function that measures them `runs` times. Each scenario
// lives in its own file and is listed in allScenarios().
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace gantry::bench {

struct MetricSpec {
  enum class Goal { kAtLeast, kAtMost, kInfo };
  std::string name;  // e.g. "throughput"
  std::string unit;  // e.g. "jobs/s"
  Goal goal = Goal::kInfo;
  double target = 0;  // ignored for kInfo
  int decimals = 0;   // shown in the table
};

// One run's figures, by metric name. A run may leave out info metrics.
using Sample = std::map<std::string, double>;

// Thrown by a scenario that cannot be measured here (e.g. its preparation
// would take too long); the message says why, and the run goes on.
class SkipScenario : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Scenario {
  std::string name;
  std::string summary;  // one line: what is measured
  std::vector<MetricSpec> metrics;
  // Measures `runs` times and returns one Sample per run. Throws BenchError
  // on failure and SkipScenario when it cannot be measured.
  std::function<std::vector<Sample>(int runs)> run;
};

// Every scenario, in the order they run (the slow-to-prepare ones last).
std::vector<Scenario> allScenarios();

// The scenario factories, one per file.
Scenario drainScenario();
Scenario drainMixScenario();
Scenario drainWithHistoryScenario();
Scenario enqueueSingleScenario();
Scenario enqueueBatchScenario();
Scenario latencyScenario();
Scenario memoryScenario();
Scenario permitsOneWorkerScenario();
Scenario permitsEightWorkersScenario();
Scenario recoveryScenario();
Scenario recoverySilentScenario();
Scenario restartScenario();

// Calls `one(run_index)` `runs` times, printing each run's headline figure
// (the first metric) to stderr as progress.
std::vector<Sample> repeat(const Scenario& scenario, int runs,
                           const std::function<Sample(int)>& one);

}  // namespace gantry::bench
