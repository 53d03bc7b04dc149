// recovery: how long jobs of a worker that died (SIGKILL, no goodbye) take
// to start again on another worker, with the default heartbeat settings of
// broker and workers. Timed from the kill to the started_at_ms of the last
// of the jobs' second attempts; split into detection (the broker records
// the lost attempts) and re-dispatch.
#include <signal.h>

#include <chrono>

#include "deployment.h"
#include "scenario.h"
#include "stop_flag.h"
#include "submit_pipeline.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kJobs = 4;

int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Sample recoveryOnce(int run) {
  Deployment d("recovery");
  // Defaults for everything that decides how fast a death is noticed.
  d.startBroker({"--log-level", "warn"});
  const std::string a = "r" + std::to_string(run) + "-a";
  const std::string b = "r" + std::to_string(run) + "-b";
  const size_t worker_a = d.startWorker(a, kJobs, {"--log-level", "warn"});
  d.waitForWorkers(1, 30s);

  SubmitLoad load;
  load.jobs = kJobs;
  load.per_request = kJobs;
  load.in_flight = 1;
  load.spec.set_kind("sleep");
  load.spec.set_payload("60000");
  const SubmitSummary submitted = submitPipelined(d.client(), load);
  const std::string range = "BETWEEN " + std::to_string(submitted.min_id) + " AND " +
                            std::to_string(submitted.max_id);
  const std::string ids = "id " + range;
  waitUntil([&] { return d.scalar("SELECT count(*) FROM gantry_jobs WHERE " + ids +
                                  " AND state = 'running' AND worker_id = '" + a + "'") == kJobs; },
            30s, 20ms, "worker A to run all jobs");
  d.startWorker(b, kJobs, {"--log-level", "warn"});
  d.waitForWorkers(2, 30s);

  const int64_t killed_at_ms = wallMs();
  d.killWorker(worker_a);
  waitUntil([&] { return d.scalar("SELECT count(*) FROM gantry_jobs WHERE " + ids +
                                  " AND state = 'running' AND attempt = 2 AND worker_id = '" + b +
                                  "'") == kJobs; },
            60s, 20ms, "the jobs to start again on worker B");
  const int64_t restarted_ms =
      d.scalar("SELECT max(started_at_ms) FROM gantry_jobs WHERE " + ids);
  const int64_t lost_ms = d.scalar(
      "SELECT max(finished_at_ms) FROM gantry_job_attempts WHERE job_id " + range +
      " AND attempt = 1");
  return {{"recovery", static_cast<double>(restarted_ms - killed_at_ms) / 1000.0},
          {"detection", static_cast<double>(lost_ms - killed_at_ms) / 1000.0},
          {"re-dispatch", static_cast<double>(restarted_ms - lost_ms)}};
}

}  // namespace

Scenario recoveryScenario() {
  Scenario s;
  s.name = "recovery";
  s.summary = "SIGKILL a worker running 4 sleep(60 s) jobs; seconds until all 4 have started "
              "on an idle worker (default heartbeat 1000 ms x liveness 3)";
  s.metrics = {{"recovery", "s", MetricSpec::Goal::kAtMost, 3, 2},
               {"detection", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"re-dispatch", "ms", MetricSpec::Goal::kInfo, 0, 0}};
  s.run = [s](int runs) { return repeat(s, runs, recoveryOnce); };
  return s;
}

}  // namespace gantry::bench
