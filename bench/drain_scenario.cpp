// drain and drain-with-history: how fast two worker processes empty a
// backlog of noop jobs, from the moment they are started until the last job
// is recorded as succeeded in gantry_job_history.
#include <chrono>
#include <iostream>

#include "deployment.h"
#include "process_stats.h"
#include "scenario.h"
#include "stop_flag.h"
#include "submit_pipeline.h"
#include "trace_window.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr size_t kJobs = 20'000;
constexpr uint32_t kWorkers = 2;
constexpr uint32_t kConcurrency = 32;
constexpr int64_t kHistoryRows = 2'000'000;
// Preparing the history may not take longer than this; the scenario is
// skipped instead (the whole benchmark should stay near ten minutes).
constexpr int kHistoryBudgetSeconds = 240;

std::vector<MetricSpec> drainMetrics() {
  return {{"throughput", "jobs/s", MetricSpec::Goal::kAtLeast, 20'000, 0},
          {"drain time", "s", MetricSpec::Goal::kInfo, 0, 3},
          {"first start", "ms", MetricSpec::Goal::kInfo, 0, 0},
          {"result rate", "jobs/s", MetricSpec::Goal::kInfo, 0, 0},
          {"commit lag", "ms", MetricSpec::Goal::kInfo, 0, 0},
          {"broker cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
          {"workers cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
          {"postgres cpu", "s", MetricSpec::Goal::kInfo, 0, 2},
          {"jobs per commit", "jobs", MetricSpec::Goal::kInfo, 0, 0},
          {"wal per job", "B", MetricSpec::Goal::kInfo, 0, 0},
          {"failed attempts", "count", MetricSpec::Goal::kInfo, 0, 0}};
}

// Pre-enqueues the backlog with no worker connected, then starts the
// workers and times the drain. Leaves the workers running.
Sample drainOnce(Deployment& d, const std::string& tag) {
  SubmitLoad load;
  load.jobs = kJobs;
  load.per_request = 500;
  load.in_flight = 4;
  load.spec.set_kind("noop");
  const SubmitSummary submitted = submitPipelined(d.client(), load);
  const std::string range = "id BETWEEN " + std::to_string(submitted.min_id) + " AND " +
                            std::to_string(submitted.max_id);
  const std::string count_sql =
      "SELECT count(*) FROM gantry_job_history WHERE " + range + " AND state = 'succeeded'";

  CpuMeter broker_cpu({d.brokerPid()});
  CpuMeter postgres_cpu(d.postgresPids());
  const Deployment::WriteCounters writes_before = d.writeCounters();
  const auto start = std::chrono::steady_clock::now();
  const int64_t start_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  std::vector<size_t> workers;
  for (uint32_t w = 1; w <= kWorkers; ++w) {
    workers.push_back(d.startWorker(tag + "-w" + std::to_string(w), kConcurrency, kFastWorkerFlags));
  }
  // A job leaves gantry_jobs in the same transaction that records it in
  // history, so "no active row left in the range" means every job is
  // recorded. That probe is an index lookup that stops at the first live
  // row; counting history rows instead costs milliseconds of the CPU the
  // committer needs. The broker's in-memory counter says when the last
  // result arrived; only then is the database probed every 2 ms.
  const std::string active_sql =
      "SELECT count(*) FROM (SELECT 1 FROM gantry_jobs WHERE " + range + " LIMIT 1) a";
  auto last_db_poll = start;
  auto last_stats = start;
  bool results_in = false;
  waitUntil(
      [&] {
        const auto now = std::chrono::steady_clock::now();
        if (!results_in && now - last_stats >= 10ms) {
          last_stats = now;
          auto stats = d.client().stats();
          results_in = stats.isOk() && stats->succeeded_total() >= kJobs;
        }
        if (!results_in && now - last_db_poll < 100ms) {
          return false;
        }
        last_db_poll = now;
        return d.scalar(active_sql) == 0;
      },
      120s, 2ms, std::to_string(kJobs) + " jobs to be recorded in gantry_job_history");
  const auto end = std::chrono::steady_clock::now();
  const int64_t end_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const double seconds = std::chrono::duration<double>(end - start).count();
  noteWindow("drain " + tag, start, end);
  const int64_t succeeded = d.scalar(count_sql);
  if (succeeded != static_cast<int64_t>(kJobs)) {
    throw BenchError("drain: " + std::to_string(succeeded) + " of " + std::to_string(kJobs) +
                     " jobs recorded as succeeded");
  }

  const Deployment::WriteCounters writes_after = d.writeCounters();
  double workers_cpu = 0;
  for (size_t w : workers) {
    workers_cpu += cpuSeconds(d.workerPid(w));
  }
  // Where the time went: worker start-up (exec, connect, hello) until the
  // first job started; the broker taking in results (first start to last
  // result, in memory); and the wait for the last results to be committed.
  const auto span = d.pairs("SELECT min(started_at_ms), max(finished_at_ms) FROM gantry_job_history"
                            " WHERE " + range);
  const int64_t first_start_ms = span.at(0).first;
  const int64_t last_result_ms = span.at(0).second;
  const double results_s = static_cast<double>(last_result_ms - first_start_ms) / 1000.0;
  Sample sample = {{"throughput", kJobs / seconds},
                   {"drain time", seconds},
                   {"first start", static_cast<double>(first_start_ms - start_wall_ms)},
                   {"result rate", results_s > 0 ? kJobs / results_s : 0},
                   {"commit lag", static_cast<double>(end_wall_ms - last_result_ms)},
                   {"broker cpu", broker_cpu.elapsed()},
                   {"workers cpu", workers_cpu},
                   {"postgres cpu", postgres_cpu.elapsed()},
                   {"jobs per commit", perCommit(kJobs, writes_before, writes_after)},
                   {"wal per job", perJob(kJobs, writes_before, writes_after)}};
  if (auto stats = d.client().stats(); stats.isOk()) {
    sample["failed attempts"] = static_cast<double>(stats->failed_total());
  }
  for (size_t w : workers) {
    d.killWorker(w);
  }
  return sample;
}

// Day partitions for the days before the ones the broker creates itself
// (yesterday onwards), named as the broker names them, then the history
// rows spread over the last four and a half days, then VACUUM ANALYZE so
// autovacuum does not start on them in the middle of a measurement.
void prepareHistory(Deployment& d) {
  d.exec("SET statement_timeout = '" + std::to_string(kHistoryBudgetSeconds) + "s'");
  d.exec(R"sql(
    DO $$
    DECLARE
      day date;
      parent text;
    BEGIN
      FOREACH parent IN ARRAY ARRAY['gantry_job_history', 'gantry_job_attempts'] LOOP
        FOR back IN 2..5 LOOP
          day := (now() AT TIME ZONE 'UTC')::date - back;
          IF to_regclass(parent || '_p' || to_char(day, 'YYYYMMDD')) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                           parent || '_p' || to_char(day, 'YYYYMMDD'), parent,
                           extract(epoch FROM day::timestamp)::bigint * 1000,
                           extract(epoch FROM (day + 1)::timestamp)::bigint * 1000);
          END IF;
        END LOOP;
      END LOOP;
    END $$)sql");
  // Job g finished at now - 1 h - (N - g) * 4.5 days / N: ids rise with time.
  const std::string rows = std::to_string(kHistoryRows);
  const std::string series =
      "SELECT g, (extract(epoch FROM now())::bigint * 1000 - 3600000"
      " - (" + rows + " - g) * (388800000 / " + rows + ")) AS f"
      " FROM generate_series(1, " + rows + ") g";
  try {
    d.exec(
        "INSERT INTO gantry_job_history (id, queue, kind, priority, payload, concurrency_key,"
        " unique_key, traceparent, run_at_ms, max_attempts, timeout_ms, state, attempt,"
        " created_at_ms, updated_at_ms, started_at_ms, finished_at_ms, result, last_error,"
        " worker_id, lease)"
        " SELECT g, 'default', 'noop', 0, '\\x', '', '', '', f - 60, 5, 1800000, 'succeeded', 1,"
        " f - 60, f, f - 5, f, '\\x', '', 'old-worker', g FROM (" + series + ") s");
    d.exec(
        "INSERT INTO gantry_job_attempts (job_id, attempt, worker_id, started_at_ms,"
        " finished_at_ms, outcome, error)"
        " SELECT g, 1, 'old-worker', f - 5, f, 'succeeded', '' FROM (" + series + ") s");
    d.exec("SET statement_timeout = 0");
    d.exec("VACUUM ANALYZE gantry_job_history");
    d.exec("VACUUM ANALYZE gantry_job_attempts");
    d.exec("CHECKPOINT");
  } catch (const BenchError& e) {
    if (std::string(e.what()).find("statement timeout") != std::string::npos) {
      throw SkipScenario("preparing " + rows + " history rows took longer than " +
                         std::to_string(kHistoryBudgetSeconds) + " s");
    }
    throw;
  }
}

}  // namespace

Scenario drainScenario() {
  Scenario s;
  s.name = "drain";
  s.summary = "20,000 pre-enqueued noop jobs drained by 2 workers x 32 slots; jobs/s from "
              "worker start until all are recorded succeeded in gantry_job_history";
  s.metrics = drainMetrics();
  s.run = [s](int runs) {
    return repeat(s, runs, [](int run) {
      Deployment d("drain");
      d.startBroker(kFastBrokerFlags);
      return drainOnce(d, "r" + std::to_string(run));
    });
  };
  return s;
}

Scenario drainWithHistoryScenario() {
  Scenario s;
  s.name = "drain-with-history";
  s.summary = "drain with 2,000,000 finished jobs (and their attempts) already in history, "
              "finished over the last 4.5 days";
  s.metrics = drainMetrics();
  s.metrics.push_back({"prepare time", "s", MetricSpec::Goal::kInfo, 0, 1});
  s.run = [s](int runs) {
    Deployment d("drain-history");
    // One start creates the broker's own partitions (yesterday onwards), so
    // the rows below land in day partitions, not the default one.
    d.startBroker(kFastBrokerFlags);
    d.stopBroker();
    std::cerr << "  drain-with-history: preparing " << kHistoryRows << " history rows...\n";
    const auto started = std::chrono::steady_clock::now();
    prepareHistory(d);
    const double prepare_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "  drain-with-history: prepared in " << prepare_s << " s\n";
    return repeat(s, runs, [&](int run) {
      d.startBroker(kFastBrokerFlags);
      Sample sample = drainOnce(d, "h" + std::to_string(run));
      d.stopBroker();
      sample["prepare time"] = prepare_s;
      return sample;
    });
  };
  return s;
}

}  // namespace gantry::bench
