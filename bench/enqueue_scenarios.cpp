// enqueue-single and enqueue-batch: acknowledged (durable) submits per
// second from one client with several requests in flight, no workers.
#include "deployment.h"
#include "process_stats.h"
#include "scenario.h"
#include "submit_pipeline.h"
#include "trace_window.h"

namespace gantry::bench {
namespace {

constexpr size_t kJobs = 20'000;
// Submitted the same way before the clock starts: the first commits of a
// fresh broker and database connection pay one-off costs (page faults on
// first touch of Postgres's shared buffers and of the broker's heap,
// catalog caches) that a long-running deployment has long paid.
constexpr size_t kWarmUpJobs = 2'000;

Scenario enqueueScenario(std::string name, std::string summary, size_t per_request,
                         size_t in_flight, double target) {
  Scenario s;
  s.name = std::move(name);
  s.summary = std::move(summary);
  s.metrics = {{"throughput", "jobs/s", MetricSpec::Goal::kAtLeast, target, 0},
               {"request latency", "ms", MetricSpec::Goal::kInfo, 0, 2},
               {"broker cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"postgres cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"jobs per commit", "jobs", MetricSpec::Goal::kInfo, 0, 0},
               {"time per commit", "ms", MetricSpec::Goal::kInfo, 0, 2},
               {"commit floor", "ms", MetricSpec::Goal::kInfo, 0, 2},
               {"wal per job", "B", MetricSpec::Goal::kInfo, 0, 0}};
  s.run = [s, per_request, in_flight](int runs) {
    return repeat(s, runs, [&](int) {
      Deployment d(s.name);
      d.startBroker(kFastBrokerFlags);
      SubmitLoad load;
      load.jobs = kJobs;
      load.per_request = per_request;
      load.in_flight = in_flight;
      load.spec.set_kind("noop");
      const double floor_ms = d.commitFloorMs(100);
      SubmitLoad warm_up = load;
      warm_up.jobs = kWarmUpJobs;
      (void)submitPipelined(d.client(), warm_up);
      CpuMeter broker_cpu({d.brokerPid()});
      CpuMeter postgres_cpu(d.postgresPids());
      const Deployment::WriteCounters before = d.writeCounters();
      const SubmitSummary done = submitPipelined(d.client(), load);
      const Deployment::WriteCounters after = d.writeCounters();
      noteWindow(s.name, done.started, done.finished);
      const size_t requests = (kJobs + per_request - 1) / per_request;
      // Little's law: the mean time a request spends in flight.
      const double latency_ms =
          done.seconds * 1000.0 * static_cast<double>(in_flight) / static_cast<double>(requests);
      return Sample{{"throughput", kJobs / done.seconds},
                    {"request latency", latency_ms},
                    {"broker cpu", broker_cpu.elapsed()},
                    {"postgres cpu", postgres_cpu.elapsed()},
                    {"jobs per commit", perCommit(kJobs, before, after)},
                    {"time per commit", done.seconds * 1000.0 * perCommit(kJobs, before, after) /
                                            static_cast<double>(kJobs)},
                    {"commit floor", floor_ms},
                    {"wal per job", perJob(kJobs, before, after)}};
    });
  };
  return s;
}

}  // namespace

Scenario enqueueSingleScenario() {
  return enqueueScenario("enqueue-single",
                         "20,000 noop jobs, one job per submit request, 16 requests in flight; "
                         "acknowledged jobs/s",
                         1, 16, 20'000);
}

Scenario enqueueBatchScenario() {
  return enqueueScenario("enqueue-batch",
                         "20,000 noop jobs in submit requests of 500 jobs, 4 requests in "
                         "flight; acknowledged jobs/s",
                         500, 4, 100'000);
}

}  // namespace gantry::bench
