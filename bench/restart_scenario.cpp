// restart: the broker is SIGKILLed with 1,000,000 queued jobs and started
// again on the same database. Two figures, both from the moment the new
// broker process is spawned:
//
// - first dispatch: until the first job is assigned again, to a worker
//   started after the kill that reconnects on its own. Read from the
//   database: the broker stamps started_at_ms when it assigns a job, on the
//   clock the benchmark reads at the spawn, so the figure is exact to the
//   millisecond however late the benchmark looks.
// - index complete: until the broker's stats account for every job
//   (queued + delayed + running + finished since the restart), timed when
//   that reply arrives, polled every 10 ms.
//
// Today the broker reads its whole index before it binds its sockets, so
// the two are close; a broker that dispatches while it is still reading
// would show first dispatch well ahead of index complete.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>

#include "deployment.h"
#include "log_time.h"
#include "process_stats.h"
#include "scenario.h"
#include "stop_flag.h"
#include "submit_pipeline.h"
#include "trace_window.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr size_t kJobs = 1'000'000;
// Submitted in slices so that a slow machine is noticed within the budget.
constexpr size_t kSliceJobs = 100'000;
// Queuing the backlog may not take longer than this; the scenario is
// skipped instead (the whole benchmark should stay near ten minutes).
constexpr int kPrepareBudgetSeconds = 120;
// The restarted broker must have dispatched and accounted for every job
// within this, or the run fails.
constexpr auto kRestartTimeout = 120s;
constexpr uint32_t kConcurrency = 32;
constexpr double kMiB = 1024.0 * 1024.0;

// A worker that keeps waiting for the broker instead of giving up on it:
// after heartbeat x liveness of silence (1 s with kFastWorkerFlags) a worker
// drops its connection and retries after a backoff that grows to 5 s, so
// with the usual flags the figure would include wherever in that backoff
// the broker came back. 200 ms x 600 outlasts kRestartTimeout, which leaves
// only ZeroMQ's own reconnect (every 100 ms) between the bind and the
// worker's hello.
const std::vector<std::string> kPatientWorkerFlags = {"--heartbeat-ms", "200", "--liveness", "600",
                                                      "--log-level",    "warn"};

int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The memory scenario's broker flags, at `log_level`.
std::vector<std::string> brokerFlags(const std::string& log_level) {
  std::vector<std::string> flags = kFastBrokerFlags;
  flags.insert(flags.end(), {"--queue-capacity-default", "2000000"});
  const auto level = std::find(flags.begin(), flags.end(), "--log-level");
  if (level != flags.end() && level + 1 != flags.end()) {
    *(level + 1) = log_level;
  }
  return flags;
}

// Queues kJobs noop jobs as the memory scenario does, then VACUUM ANALYZE
// and CHECKPOINT: a backlog that has waited a while has been vacuumed and
// checkpointed, and autovacuum or a checkpoint starting on the fresh rows
// during the restart would be measured instead of the broker. Returns the
// seconds it took; throws SkipScenario past the budget.
double queueBacklog(Deployment& d) {
  const auto started = std::chrono::steady_clock::now();
  const auto overBudget = [&](const std::string& doing) {
    return SkipScenario(doing + " took longer than " + std::to_string(kPrepareBudgetSeconds) +
                        " s");
  };
  SubmitLoad load;
  load.per_request = 500;
  load.in_flight = 4;
  load.spec.set_kind("noop");
  for (size_t queued = 0; queued < kJobs; queued += load.jobs) {
    if (secondsSince(started) > kPrepareBudgetSeconds) {
      throw overBudget("queuing " + std::to_string(kJobs) + " jobs");
    }
    load.jobs = std::min(kSliceJobs, kJobs - queued);
    (void)submitPipelined(d.client(), load);
  }
  const auto left_ms = static_cast<int64_t>((kPrepareBudgetSeconds - secondsSince(started)) * 1000);
  if (left_ms <= 0) {
    throw overBudget("queuing " + std::to_string(kJobs) + " jobs");
  }
  try {
    d.exec("SET statement_timeout = " + std::to_string(left_ms));
    d.exec("VACUUM ANALYZE gantry_jobs");
  } catch (const BenchError& e) {
    if (std::string(e.what()).find("statement timeout") != std::string::npos) {
      throw overBudget("queuing and vacuuming " + std::to_string(kJobs) + " jobs");
    }
    throw;
  }
  d.exec("SET statement_timeout = 0");
  d.exec("CHECKPOINT");
  return secondsSince(started);
}

// Jobs the broker knows about: active ones plus those finished since it
// started (its counters start at zero).
uint64_t accountedJobs(const wire::StatsReply& stats) {
  uint64_t jobs = stats.succeeded_total() + stats.dead_total() + stats.cancelled_total();
  for (const auto& q : stats.queues()) {
    jobs += q.queued() + q.delayed() + q.running();
  }
  return jobs;
}

// Whether the broker has assigned any job since it started.
bool anyDispatched(const wire::StatsReply& stats) {
  uint64_t started = stats.succeeded_total() + stats.failed_total();
  for (const auto& q : stats.queues()) {
    started += q.running();
  }
  return started > 0;
}

// Where the restart's time went, from the new broker's log (info level):
// spawn to ownership of the database (process start, connecting, schema
// check, and the killed broker's session releasing its lock), reading the
// active jobs and building the index, and starting its threads and binding
// its sockets. Left out when a line is missing.
void addRecoveryPhases(Sample& sample, const std::string& log, int64_t spawned_ms) {
  const auto owned = loggedAtMs(log, "took ownership of the database");
  const auto recovered = loggedAtMs(log, "recovered state from the database");
  const auto listening = loggedAtMs(log, "broker listening");
  if (owned && recovered && listening) {
    sample["to ownership"] = static_cast<double>(*owned - spawned_ms) / 1000.0;
    sample["read and restore"] = static_cast<double>(*recovered - *owned) / 1000.0;
    sample["to listening"] = static_cast<double>(*listening - *recovered) / 1000.0;
  }
}

// What the benchmark saw of the restarted broker's recovery.
struct Recovery {
  double index_complete_s = 0;  // spawn until stats accounted for every job
  // Taken at that moment:
  uint64_t rss = 0;
  uint64_t peak_rss = 0;
  double broker_cpu = 0;    // since its start
  double postgres_cpu = 0;  // since the spawn
};

// Polls the restarted broker's stats every 10 ms until they account for
// every job and show that one has been dispatched. The client is created
// once the broker has bound, so its first request goes out at once rather
// than at ZeroMQ's next reconnect.
Recovery awaitRecovery(Deployment& d, std::chrono::steady_clock::time_point spawned,
                       const std::map<pid_t, double>& postgres_cpu_at_spawn) {
  Recovery recovery;
  bool bound = false;
  bool complete = false;
  bool dispatched = false;
  uint64_t accounted = 0;
  std::chrono::steady_clock::time_point last_stats{};
  const auto recovered = [&] {
    bound = bound || d.brokerBound();
    if (!bound || std::chrono::steady_clock::now() - last_stats < 10ms) {
      return false;
    }
    auto stats = d.client().stats();
    last_stats = std::chrono::steady_clock::now();
    if (!stats.isOk()) {
      return false;
    }
    accounted = accountedJobs(*stats);
    if (!complete && accounted == kJobs) {
      complete = true;
      recovery.index_complete_s = secondsSince(spawned);
      recovery.rss = residentBytes(d.brokerPid());
      recovery.peak_rss = peakResidentBytes(d.brokerPid());
      recovery.broker_cpu = cpuSeconds(d.brokerPid());
      recovery.postgres_cpu = cpuSince(postgres_cpu_at_spawn, d.postgresPids());
    }
    dispatched = dispatched || anyDispatched(*stats);
    return complete && dispatched;
  };
  try {
    waitUntil(
        recovered, kRestartTimeout, 1ms,
        "the restarted broker to account for " + std::to_string(kJobs) + " jobs and dispatch one");
  } catch (const BenchError& e) {
    throw BenchError(std::string(e.what()) + " (bound: " + (bound ? "yes" : "no") +
                     ", jobs accounted: " + std::to_string(accounted) +
                     ", dispatched: " + (dispatched ? "yes" : "no") + ")");
  }
  return recovery;
}

// The broker's timestamp of the first assignment since the restart.
// REQUIRES: no job had been assigned before it, and the workers are gone
// (or their jobs have at least one attempt stored).
int64_t firstAssignmentMs(Deployment& d) {
  // Commits go out in order, so once any attempt row is stored (the lost
  // ones at the latest), the first assignment is stored too: as a running
  // row in gantry_jobs, or as its attempt if it has finished.
  waitUntil(
      [&] {
        return d.scalar("SELECT count(*) FROM (SELECT 1 FROM gantry_job_attempts LIMIT 1) a") > 0;
      },
      30s, 10ms, "the first attempt after the restart to be stored");
  return d.scalar(
      "SELECT least((SELECT min(started_at_ms) FROM gantry_job_attempts),"
      " (SELECT min(started_at_ms) FROM gantry_jobs WHERE started_at_ms > 0))");
}

Sample restartOnce(int run) {
  Deployment d("restart");
  d.startBroker(brokerFlags("warn"));
  std::cerr << "  restart: queuing " << kJobs << " jobs...\n";
  const double prepare_s = queueBacklog(d);
  d.killBroker();
  const size_t worker =
      d.startWorker("r" + std::to_string(run) + "-w1", kConcurrency, kPatientWorkerFlags);

  const std::map<pid_t, double> postgres_cpu_at_spawn = cpuByPid(d.postgresPids());
  const auto spawned = std::chrono::steady_clock::now();
  const int64_t spawned_ms = wallMs();
  // At info level for the recovery lines; the broker logs nothing per job.
  d.spawnBroker(brokerFlags("info"));
  const Recovery recovery = awaitRecovery(d, spawned, postgres_cpu_at_spawn);
  noteWindow("restart", spawned, std::chrono::steady_clock::now());
  d.killWorker(worker);  // stops the drain; its jobs become lost attempts

  const int64_t first_assignment_ms = firstAssignmentMs(d);
  if (first_assignment_ms < spawned_ms) {
    throw BenchError("restart: a job started at " + std::to_string(first_assignment_ms) +
                     " ms, before the broker was restarted at " + std::to_string(spawned_ms));
  }
  Sample sample = {
      {"first dispatch", static_cast<double>(first_assignment_ms - spawned_ms) / 1000.0},
      {"index complete", recovery.index_complete_s},
      {"broker cpu", recovery.broker_cpu},
      {"postgres cpu", recovery.postgres_cpu},
      {"rss after recovery", static_cast<double>(recovery.rss) / kMiB},
      {"peak rss", static_cast<double>(recovery.peak_rss) / kMiB},
      {"prepare time", prepare_s}};
  addRecoveryPhases(sample, d.brokerLog(), spawned_ms);
  return sample;
}

}  // namespace

Scenario restartScenario() {
  Scenario s;
  s.name = "restart";
  s.summary =
      "SIGKILL the broker with 1,000,000 queued noop jobs and start it again; seconds "
      "from the spawn until the first job is assigned and until stats count every job";
  s.metrics = {{"first dispatch", "s", MetricSpec::Goal::kAtMost, 5, 2},
               {"index complete", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"to ownership", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"read and restore", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"to listening", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"broker cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"postgres cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
               {"rss after recovery", "MiB", MetricSpec::Goal::kInfo, 0, 1},
               {"peak rss", "MiB", MetricSpec::Goal::kInfo, 0, 1},
               {"prepare time", "s", MetricSpec::Goal::kInfo, 0, 1}};
  s.run = [s](int runs) { return repeat(s, runs, restartOnce); };
  return s;
}

}  // namespace gantry::bench
