// The worker's metrics and health checks (docs/observability.md). Gauges
// and counters are read from stats() when scraped, on the listener's
// threads; only the handler durations are observed as handlers end.
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "worker_loop.h"

namespace gantry::worker {
namespace {

prometheus::MetricFamily single(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}

class WorkerCollector final : public prometheus::Collectable {
 public:
  explicit WorkerCollector(const WorkerLoop& loop) : loop_(loop) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    using prometheus::MetricType;
    const WorkerStats s = loop_.stats();
    auto d = [](uint64_t v) { return static_cast<double>(v); };
    return {
        single("gantry_worker_slots", "Handler threads of this worker", MetricType::Gauge, s.slots),
        single("gantry_worker_slots_busy", "Handler threads running a handler", MetricType::Gauge,
               s.busy_slots),
        single("gantry_worker_results_waiting", "Results the broker may not have yet (outbox)",
               MetricType::Gauge, d(s.results_waiting)),
        single("gantry_worker_broker_connected", "1 while the broker answers on the socket",
               MetricType::Gauge, s.connected ? 1 : 0),
        single("gantry_worker_reconnects_total", "Broker sockets replaced after silence",
               MetricType::Counter, d(s.reconnects)),
        single("gantry_worker_jobs_started_total", "Attempts this worker started",
               MetricType::Counter, d(s.jobs_started)),
        single("gantry_worker_jobs_timed_out_total", "Attempts its deadline ended",
               MetricType::Counter, d(s.jobs_timed_out)),
        single("gantry_worker_jobs_handed_back_total", "Attempts handed back unfinished",
               MetricType::Counter, d(s.jobs_handed_back)),
        single("gantry_worker_bad_messages_total",
               "Messages from the broker refused (undecodable or unexpected)", MetricType::Counter,
               d(s.malformed_messages + s.unexpected_messages)),
    };
  }

 private:
  const WorkerLoop& loop_;
};

}  // namespace

void WorkerLoop::observeWith(obs::Observability& obs) {
  obs.add(std::make_shared<WorkerCollector>(*this));
  obs.add(durations_->family());
  using obs::Probe;
  obs.health().add("broker", obs::probes({Probe::kReady}), [this] {
    return stats().connected ? obs::CheckState{true, "connected to " + config_.broker_endpoint}
                             : obs::CheckState{false, "no answer from " + config_.broker_endpoint};
  });
  obs.health().add("handlers", obs::probes({Probe::kReady, Probe::kStartup}), [this] {
    if (kinds_.empty()) {
      return obs::CheckState{false, "no handler registered"};
    }
    std::string kinds;
    for (const auto& kind : kinds_) {
      kinds += (kinds.empty() ? "" : ",") + kind;
    }
    return obs::CheckState{true, kinds};
  });
  obs.health().add("loop", obs::probes({Probe::kLive}), [this] {
    // The I/O thread turns at least every heartbeat; a gap of many means it
    // is wedged.
    const TimeMs silent = clock_.monoMs() - last_turn_mono_ms_.load(std::memory_order_relaxed);
    const TimeMs limit = std::max<TimeMs>(10'000, TimeMs{config_.heartbeat_ms} * 10);
    return silent <= limit
               ? obs::CheckState{true, "turning"}
               : obs::CheckState{false, "no turn for " + std::to_string(silent) + " ms"};
  });
}

}  // namespace gantry::worker
