// memory: the broker's resident memory with 1,000,000 queued jobs and no
// workers, next to its resident memory before the submits.
#include "deployment.h"
#include "process_stats.h"
#include "scenario.h"
#include "stop_flag.h"
#include "submit_pipeline.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr size_t kJobs = 1'000'000;
constexpr double kMiB = 1024.0 * 1024.0;

Sample memoryOnce(int) {
  Deployment d("memory");
  std::vector<std::string> flags = kFastBrokerFlags;
  flags.insert(flags.end(), {"--queue-capacity-default", "2000000"});
  d.startBroker(flags);
  pauseFor(500ms);  // let start-up work (maintenance, reader) settle
  const uint64_t before = residentBytes(d.brokerPid());

  SubmitLoad load;
  load.jobs = kJobs;
  load.per_request = 500;
  load.in_flight = 4;
  load.spec.set_kind("noop");
  const SubmitSummary done = submitPipelined(d.client(), load);
  const uint64_t after = residentBytes(d.brokerPid());
  const uint64_t peak = peakResidentBytes(d.brokerPid());
  auto stats = d.client().stats();
  uint64_t queued = 0;
  if (stats.isOk()) {
    for (const auto& q : stats->queues()) {
      queued += q.queued() + q.delayed();
    }
  }
  if (queued != kJobs) {
    throw BenchError("memory: the broker reports " + std::to_string(queued) + " queued jobs, not " +
                     std::to_string(kJobs));
  }
  return {{"rss with 1M queued", static_cast<double>(after) / kMiB},
          {"rss before submit", static_cast<double>(before) / kMiB},
          {"peak rss", static_cast<double>(peak) / kMiB},
          {"bytes per job", static_cast<double>(after - before) / kJobs},
          {"submit throughput", kJobs / done.seconds}};
}

}  // namespace

Scenario memoryScenario() {
  Scenario s;
  s.name = "memory";
  s.summary =
      "broker RSS with 1,000,000 queued noop jobs (empty payload, submitted in "
      "requests of 500), no workers";
  s.metrics = {{"rss with 1M queued", "MiB", MetricSpec::Goal::kAtMost, 300, 1},
               {"rss before submit", "MiB", MetricSpec::Goal::kInfo, 0, 1},
               {"peak rss", "MiB", MetricSpec::Goal::kInfo, 0, 1},
               {"bytes per job", "B", MetricSpec::Goal::kInfo, 0, 0},
               {"submit throughput", "jobs/s", MetricSpec::Goal::kInfo, 0, 0}};
  s.run = [s](int runs) { return repeat(s, runs, memoryOnce); };
  return s;
}

}  // namespace gantry::bench
