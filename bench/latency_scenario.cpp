// latency: submit-to-start at a steady 500 jobs/s with workers waiting.
// A job's start is the started_at_ms of its first attempt (set by the
// broker when it assigns the job); its submit is the client's wall clock
// just before the request is sent. Both clocks are this machine's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "deployment.h"
#include "otlp_sink.h"
#include "scenario.h"
#include "stop_flag.h"
#include "trace_window.h"

namespace gantry::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kRatePerSecond = 500;
constexpr int kSeconds = 10;
constexpr int kJobs = kRatePerSecond * kSeconds;

int64_t wallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The value below which `fraction` of the sorted values lie (nearest rank).
double percentile(const std::vector<double>& sorted, double fraction) {
  const size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

Sample latencyOnce(int run) {
  Deployment d("latency");
  d.startBroker(kFastBrokerFlags);
  d.startWorker("r" + std::to_string(run) + "-w1", 32, kFastWorkerFlags);
  d.startWorker("r" + std::to_string(run) + "-w2", 32, kFastWorkerFlags);
  d.waitForWorkers(2, 30s);

  BrokerClient& client = d.client();
  wire::Envelope request;
  request.mutable_submit()->add_jobs()->set_kind("noop");
  stampTrace(*request.mutable_submit()->mutable_jobs(0));

  std::unordered_map<uint64_t, int64_t> sent_us_by_correlation;
  std::unordered_map<uint64_t, int64_t> sent_us_by_job;
  int sent = 0;
  int answered = 0;
  const auto handle = [&](const wire::Envelope& reply) {
    if (reply.has_error()) {
      throw BenchError("submit refused: " + reply.error().message());
    }
    auto it = sent_us_by_correlation.find(reply.correlation_id());
    if (!reply.has_submit_reply() || it == sent_us_by_correlation.end()) {
      return;
    }
    for (uint64_t id : reply.submit_reply().ids()) {
      sent_us_by_job[id] = it->second;
    }
    sent_us_by_correlation.erase(it);
    ++answered;
  };

  // Open loop: job i is due at start + i / rate, whatever the replies do.
  const auto start = std::chrono::steady_clock::now();
  const auto interval = std::chrono::microseconds(1'000'000 / kRatePerSecond);
  while (sent < kJobs) {
    throwIfStopped();
    const auto due = start + sent * interval;
    const auto now = std::chrono::steady_clock::now();
    if (now < due) {
      // Rounded up: ZeroMQ waits in whole milliseconds, and a zero wait
      // would spin on a core the broker needs.
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - now);
      if (auto reply = client.receive(wait)) {
        handle(*reply);
      }
      continue;
    }
    const int64_t sent_us = wallMicros();
    auto id = client.send(request);
    if (!id.isOk()) {
      throw BenchError("submit: " + id.status().toString());
    }
    sent_us_by_correlation[*id] = sent_us;
    ++sent;
  }
  const auto sent_all = std::chrono::steady_clock::now();
  const double send_seconds = std::chrono::duration<double>(sent_all - start).count();
  noteWindow("latency", start, sent_all);
  while (answered < kJobs) {
    throwIfStopped();
    auto reply = client.receive(30s);
    if (!reply) {
      throw BenchError("latency: " + std::to_string(kJobs - answered) + " submits unanswered");
    }
    handle(*reply);
  }

  uint64_t min_id = UINT64_MAX;
  uint64_t max_id = 0;
  for (const auto& [id, _] : sent_us_by_job) {
    min_id = std::min(min_id, id);
    max_id = std::max(max_id, id);
  }
  const std::string range = "BETWEEN " + std::to_string(min_id) + " AND " + std::to_string(max_id);
  waitUntil(
      [&] {
        return d.scalar("SELECT count(*) FROM gantry_job_history WHERE id " + range) >= kJobs;
      },
      60s, 20ms, "every latency job to finish");
  const auto starts =
      d.pairs("SELECT job_id, started_at_ms FROM gantry_job_attempts WHERE job_id " + range +
              " AND attempt = 1");
  std::vector<double> latencies;
  latencies.reserve(starts.size());
  for (const auto& [job_id, started_at_ms] : starts) {
    auto it = sent_us_by_job.find(static_cast<uint64_t>(job_id));
    if (it != sent_us_by_job.end()) {
      // started_at_ms is a whole millisecond; its midpoint is the unbiased
      // estimate of the instant, so results are good to +-0.5 ms.
      latencies.push_back(static_cast<double>(started_at_ms) + 0.5 -
                          static_cast<double>(it->second) / 1000.0);
    }
  }
  if (latencies.size() != static_cast<size_t>(kJobs)) {
    throw BenchError("latency: found first attempts for " + std::to_string(latencies.size()) +
                     " of " + std::to_string(kJobs) + " jobs");
  }
  std::sort(latencies.begin(), latencies.end());
  return {{"p50", percentile(latencies, 0.50)},
          {"p99", percentile(latencies, 0.99)},
          {"max", latencies.back()},
          {"offered rate", kJobs / send_seconds}};
}

}  // namespace

Scenario latencyScenario() {
  Scenario s;
  s.name = "latency";
  s.summary =
      "submit-to-start of noop jobs submitted one per request at 500 jobs/s for 10 s, "
      "2 workers x 32 slots waiting";
  s.metrics = {{"p50", "ms", MetricSpec::Goal::kInfo, 0, 2},
               {"p99", "ms", MetricSpec::Goal::kAtMost, 5, 2},
               {"max", "ms", MetricSpec::Goal::kInfo, 0, 2},
               {"offered rate", "jobs/s", MetricSpec::Goal::kInfo, 0, 0}};
  s.run = [s](int runs) { return repeat(s, runs, latencyOnce); };
  return s;
}

}  // namespace gantry::bench
