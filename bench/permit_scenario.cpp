// permits-1w and permits-8w: how many pool-wide permits the broker hands
// out per second when the limit does not bind, so the figure is the cost
// of the round trip itself (handler thread -> worker I/O thread -> broker
// -> back). Each job of the `scripted` kind acquires kPermitsPerJob permits
// one after another; every worker slot runs one such job at a time.
#include <chrono>

#include <nlohmann/json.hpp>

#include "deployment.h"
#include "process_stats.h"
#include "scenario.h"
#include "stop_flag.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kTotalPermits = 40'000;
constexpr int kPermitsPerJob = 250;
constexpr uint32_t kTotalSlots = 16;
// A limit far above anything this machine can ask for.
const std::vector<std::string> kResourceFlags = {"--resource", "bench=1000000/s,burst=1000000"};

Sample measure(size_t workers, int run) {
  Deployment d("permits");
  std::vector<std::string> flags = kFastBrokerFlags;
  flags.insert(flags.end(), kResourceFlags.begin(), kResourceFlags.end());
  d.startBroker(flags);
  const auto script =
      nlohmann::json{{"acquire", {{"resource", "bench"}, {"times", kPermitsPerJob}}}}.dump();
  std::vector<wire::JobSpec> specs(kTotalPermits / kPermitsPerJob);
  for (wire::JobSpec& spec : specs) {
    spec.set_kind("scripted");
    spec.set_payload(script);
  }
  if (auto reply = d.client().submit(specs); !reply.isOk()) {
    throw BenchError("permits: submit failed: " + reply.status().toString());
  }
  const auto start = std::chrono::steady_clock::now();
  const uint32_t slots = kTotalSlots / static_cast<uint32_t>(workers);
  for (size_t w = 0; w < workers; ++w) {
    d.startWorker("p" + std::to_string(run) + "-" + std::to_string(w), slots,
                  {"--kinds", "scripted"});
  }
  CpuMeter broker_cpu({d.brokerPid()});
  uint64_t granted = 0;
  waitUntil(
      [&] {
        auto stats = d.client().stats();
        if (!stats.isOk() || stats->resources_size() != 1) {
          return false;
        }
        granted = stats->resources(0).granted_total();
        return stats->succeeded_total() == static_cast<uint64_t>(kTotalPermits / kPermitsPerJob);
      },
      300s, 5ms, "every permit job to succeed");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (granted != static_cast<uint64_t>(kTotalPermits)) {
    throw BenchError("permits: " + std::to_string(granted) + " of " +
                     std::to_string(kTotalPermits) + " permits granted");
  }
  const double per_second = kTotalPermits / seconds;
  return {{"permits", per_second},
          // Every slot waits on one permit at a time: slots / rate is the
          // mean time a handler waits for one.
          {"round trip", kTotalSlots / per_second * 1e6},
          {"broker cpu", broker_cpu.elapsed()}};
}

Scenario permitScenario(size_t workers) {
  Scenario s;
  s.name = "permits-" + std::to_string(workers) + "w";
  s.summary = std::to_string(kTotalPermits) + " permits on a limit that does not bind, " +
              std::to_string(kTotalSlots) + " handler slots over " + std::to_string(workers) +
              " worker(s), acquired one at a time; from worker start to the last job";
  s.metrics = {{"permits", "permits/s", MetricSpec::Goal::kInfo, 0, 0},
               {"round trip", "us", MetricSpec::Goal::kInfo, 0, 0},
               {"broker cpu", "s", MetricSpec::Goal::kInfo, 0, 2}};
  s.run = [s, workers](int runs) {
    return repeat(s, runs, [workers](int run) { return measure(workers, run); });
  };
  return s;
}

}  // namespace

Scenario permitsOneWorkerScenario() { return permitScenario(1); }
Scenario permitsEightWorkersScenario() { return permitScenario(8); }

}  // namespace gantry::bench
