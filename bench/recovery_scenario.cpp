// recovery and recovery-silent: how long the jobs of a lost worker take to
// start again on another worker, with the default heartbeat settings of
// broker and workers. Timed from the signal to the started_at_ms of the
// last of the jobs' second attempts; split into detection (the broker
// records the lost attempts) and re-dispatch.
//
// recovery SIGKILLs the worker: its connection closes, which the broker
// notices at once. recovery-silent SIGSTOPs it instead: the connection
// stays open and only the heartbeat window tells (as for a lost host or a
// cut network). That window starts at the last heartbeat, so the figure
// depends on where in the heartbeat interval the signal falls. Run i of n
// signals at (i - 0.5) / n of an interval after a heartbeat has been seen
// to arrive, spreading the runs evenly over it; the median is then the
// expected value and "after heartbeat" (the signal just after a heartbeat)
// the worst case.
#include <signal.h>

#include <algorithm>
#include <chrono>

#include "deployment.h"
#include "scenario.h"
#include "stop_flag.h"
#include "submit_pipeline.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kJobs = 4;
constexpr int64_t kDefaultHeartbeatMs = 1000;

int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits until a heartbeat of `worker_id` has just arrived (its last_seen_ms
// in the broker's workers list moves) and returns its last_seen_ms.
int64_t awaitHeartbeat(Deployment& d, const std::string& worker_id) {
  const auto lastSeen = [&]() -> int64_t {
    auto workers = d.client().workers();
    if (workers.isOk()) {
      for (const auto& w : workers->workers()) {
        if (w.worker_id() == worker_id) {
          return w.last_seen_ms();
        }
      }
    }
    return -1;
  };
  const int64_t before = lastSeen();
  int64_t seen = before;
  waitUntil([&] { return (seen = lastSeen()) != before; }, 5s, 2ms,
            "a heartbeat from worker " + worker_id);
  return seen;
}

enum class Loss { kKilled, kFrozen };

Sample recoveryOnce(int run, int runs, Loss loss) {
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
  const std::string range =
      "BETWEEN " + std::to_string(submitted.min_id) + " AND " + std::to_string(submitted.max_id);
  const std::string ids = "id " + range;
  waitUntil(
      [&] {
        return d.scalar("SELECT count(*) FROM gantry_jobs WHERE " + ids +
                        " AND state = 'running' AND worker_id = '" + a + "'") == kJobs;
      },
      30s, 20ms, "worker A to run all jobs");
  d.startWorker(b, kJobs, {"--log-level", "warn"});
  d.waitForWorkers(2, 30s);

  const int64_t heartbeat_ms = awaitHeartbeat(d, a);
  const int64_t phase_ms = kDefaultHeartbeatMs * (2 * run - 1) / (int64_t{2} * runs);
  pauseFor(std::chrono::milliseconds(std::max<int64_t>(0, heartbeat_ms + phase_ms - wallMs())));
  const int64_t killed_at_ms = wallMs();
  if (loss == Loss::kKilled) {
    d.killWorker(worker_a);
  } else {
    d.freezeWorker(worker_a);
  }
  waitUntil(
      [&] {
        return d.scalar("SELECT count(*) FROM gantry_jobs WHERE " + ids +
                        " AND state = 'running' AND attempt = 2 AND worker_id = '" + b + "'") ==
               kJobs;
      },
      60s, 20ms, "the jobs to start again on worker B");
  const int64_t restarted_ms = d.scalar("SELECT max(started_at_ms) FROM gantry_jobs WHERE " + ids);
  const int64_t lost_ms =
      d.scalar("SELECT max(finished_at_ms) FROM gantry_job_attempts WHERE job_id " + range +
               " AND attempt = 1");
  return {{"recovery", static_cast<double>(restarted_ms - killed_at_ms) / 1000.0},
          {"detection", static_cast<double>(lost_ms - killed_at_ms) / 1000.0},
          {"re-dispatch", static_cast<double>(restarted_ms - lost_ms)},
          {"signal after heartbeat", static_cast<double>(killed_at_ms - heartbeat_ms)},
          {"after heartbeat", static_cast<double>(restarted_ms - heartbeat_ms) / 1000.0}};
}

Scenario recoveryScenario(std::string name, std::string summary, Loss loss, MetricSpec::Goal goal) {
  Scenario s;
  s.name = std::move(name);
  s.summary = std::move(summary);
  s.metrics = {{"recovery", "s", goal, goal == MetricSpec::Goal::kInfo ? 0.0 : 3.0, 2},
               {"detection", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"re-dispatch", "ms", MetricSpec::Goal::kInfo, 0, 0},
               {"signal after heartbeat", "ms", MetricSpec::Goal::kInfo, 0, 0},
               {"after heartbeat", "s", MetricSpec::Goal::kInfo, 0, 2}};
  s.run = [s, loss](int runs) {
    return repeat(s, runs, [runs, loss](int run) { return recoveryOnce(run, runs, loss); });
  };
  return s;
}

}  // namespace

Scenario recoveryScenario() {
  return recoveryScenario("recovery",
                          "SIGKILL a worker running 4 sleep(60 s) jobs; seconds until all 4 "
                          "have started on an idle worker (default settings; the closed "
                          "connection gives the death away)",
                          Loss::kKilled, MetricSpec::Goal::kAtMost);
}

Scenario recoverySilentScenario() {
  return recoveryScenario("recovery-silent",
                          "SIGSTOP a worker running 4 sleep(60 s) jobs; seconds until all 4 "
                          "have started on an idle worker (default heartbeat 1000 ms x "
                          "liveness 3; signals spread over the heartbeat interval)",
                          Loss::kFrozen, MetricSpec::Goal::kInfo);
}

}  // namespace gantry::bench
