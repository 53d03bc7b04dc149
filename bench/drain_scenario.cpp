// drain and drain-with-history: how fast two worker processes empty a
// backlog of noop jobs, from the moment they are started until the last job
// is recorded as succeeded in gantry_job_history (see backlog_drain.h).
#include <chrono>
#include <iostream>

#include "backlog_drain.h"
#include "deployment.h"
#include "scenario.h"
#include "stop_flag.h"

namespace gantry::bench {
namespace {

constexpr int64_t kHistoryRows = 2'000'000;
// Preparing the history may not take longer than this; the scenario is
// skipped instead (the whole benchmark should stay near ten minutes).
constexpr int kHistoryBudgetSeconds = 240;

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
      " - (" +
      rows + " - g) * (388800000 / " + rows +
      ")) AS f"
      " FROM generate_series(1, " +
      rows + ") g";
  try {
    d.exec(
        "INSERT INTO gantry_job_history (id, queue, kind, priority, payload, concurrency_key,"
        " unique_key, traceparent, run_at_ms, max_attempts, timeout_ms, state, attempt,"
        " created_at_ms, updated_at_ms, started_at_ms, finished_at_ms, result, last_error,"
        " worker_id, lease)"
        " SELECT g, 'default', 'noop', 0, '\\x', '', '', '', f - 60, 5, 1800000, 'succeeded', 1,"
        " f - 60, f, f - 5, f, '\\x', '', 'old-worker', g FROM (" +
        series + ") s");
    d.exec(
        "INSERT INTO gantry_job_attempts (job_id, attempt, worker_id, started_at_ms,"
        " finished_at_ms, outcome, error)"
        " SELECT g, 1, 'old-worker', f - 5, f, 'succeeded', '' FROM (" +
        series + ") s");
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
  s.summary =
      "20,000 pre-enqueued noop jobs drained by 2 workers x 32 slots; jobs/s from "
      "worker start until all are recorded succeeded in gantry_job_history";
  s.metrics = drainMetrics();
  s.run = [s](int runs) {
    return repeat(s, runs, [](int run) {
      Deployment d("drain");
      d.startBroker(kFastBrokerFlags);
      return drainBacklog(d, noopJob, "r" + std::to_string(run));
    });
  };
  return s;
}

Scenario drainWithHistoryScenario() {
  Scenario s;
  s.name = "drain-with-history";
  s.summary =
      "drain with 2,000,000 finished jobs (and their attempts) already in history, "
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
      Sample sample = drainBacklog(d, noopJob, "h" + std::to_string(run));
      d.stopBroker();
      sample["prepare time"] = prepare_s;
      return sample;
    });
  };
  return s;
}

}  // namespace gantry::bench
