#include "backlog_drain.h"

#include <chrono>

#include "process_stats.h"
#include "stop_flag.h"
#include "trace_window.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kWorkers = 2;
constexpr uint32_t kConcurrency = 32;

}  // namespace

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

Sample drainBacklog(Deployment& d, const JobMix& mix, const std::string& tag) {
  SubmitLoad load;
  load.jobs = kDrainJobs;
  load.per_request = 500;
  load.in_flight = 4;
  load.mix = mix;
  const SubmitSummary submitted = submitPipelined(d.client(), load);
  const std::string range =
      "id BETWEEN " + std::to_string(submitted.min_id) + " AND " + std::to_string(submitted.max_id);
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
    workers.push_back(
        d.startWorker(tag + "-w" + std::to_string(w), kConcurrency, kFastWorkerFlags));
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
          results_in = stats.isOk() && stats->succeeded_total() >= kDrainJobs;
        }
        if (!results_in && now - last_db_poll < 100ms) {
          return false;
        }
        last_db_poll = now;
        return d.scalar(active_sql) == 0;
      },
      120s, 2ms, std::to_string(kDrainJobs) + " jobs to be recorded in gantry_job_history");
  const auto end = std::chrono::steady_clock::now();
  const int64_t end_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const double seconds = std::chrono::duration<double>(end - start).count();
  noteWindow("drain " + tag, start, end);
  const int64_t succeeded = d.scalar(count_sql);
  if (succeeded != static_cast<int64_t>(kDrainJobs)) {
    throw BenchError("drain: " + std::to_string(succeeded) + " of " + std::to_string(kDrainJobs) +
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
  const auto span = d.pairs(
      "SELECT min(started_at_ms), max(finished_at_ms) FROM gantry_job_history"
      " WHERE " +
      range);
  const int64_t first_start_ms = span.at(0).first;
  const int64_t last_result_ms = span.at(0).second;
  const double results_s = static_cast<double>(last_result_ms - first_start_ms) / 1000.0;
  Sample sample = {{"throughput", kDrainJobs / seconds},
                   {"drain time", seconds},
                   {"first start", static_cast<double>(first_start_ms - start_wall_ms)},
                   {"result rate", results_s > 0 ? kDrainJobs / results_s : 0},
                   {"commit lag", static_cast<double>(end_wall_ms - last_result_ms)},
                   {"broker cpu", broker_cpu.elapsed()},
                   {"workers cpu", workers_cpu},
                   {"postgres cpu", postgres_cpu.elapsed()},
                   {"jobs per commit", perCommit(kDrainJobs, writes_before, writes_after)},
                   {"wal per job", perJob(kDrainJobs, writes_before, writes_after)}};
  if (auto stats = d.client().stats(); stats.isOk()) {
    sample["failed attempts"] = static_cast<double>(stats->failed_total());
  }
  for (size_t w : workers) {
    d.killWorker(w);
  }
  return sample;
}

wire::JobSpec noopJob(size_t) {
  wire::JobSpec spec;
  spec.set_kind("noop");
  return spec;
}

}  // namespace gantry::bench
