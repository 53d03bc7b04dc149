// The broker's Prometheus metrics (docs/observability.md lists them all).
// Two kinds of update, both on the loop's thread:
//  - per job, through CoreObserver: relaxed atomic increments into series
//    found by (queue, kind) id in a table; no lock, no allocation except the
//    first time a queue or kind appears;
//  - about once a second, publish(): gauges (queue depths, the front of each
//    queue's line, workers and slots, the database connection) and totals the
//    core already counts.
// A scrape reads the atomics on the metrics listener's threads and never
// waits for the loop.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gantry/broker/core/broker_core.h"
#include "gantry/broker/server/resource_metrics.h"
#include "gantry/common/status.h"
#include "gantry/obs/atomic_histogram.h"
#include "gantry/obs/observability.h"

namespace gantry::broker {

class BrokerMetrics final : public CoreObserver {
 public:
  // REQUIRES: obs outlives this.
  explicit BrokerMetrics(obs::Observability& obs);

  // REQUIRES: called before the core's first event; core outlives this.
  void attach(const BrokerCore& core) { core_ = &core; }

  // CoreObserver.
  void jobSubmitted(uint32_t queue, uint32_t kind) override;
  void attemptStarted(uint32_t queue, uint32_t kind, TimeMs waited_ms) override;
  void attemptEnded(uint32_t queue, uint32_t kind, wire::Outcome outcome, TimeMs ran_ms) override;
  void jobRetried(uint32_t queue, uint32_t kind) override;
  void jobFinished(uint32_t queue, uint32_t kind, wire::JobState state) override;
  void jobPartial(uint32_t queue, uint32_t kind) override;

  // A submit request refused as a whole (reason: its status code's name).
  void submitRejected(StatusCode code, size_t jobs);
  // A message from a peer that was refused (malformed, unknown, ...).
  void protocolError(StatusCode code);
  // One group commit of `writes` rows that took `commit_ms`.
  void committed(size_t writes, TimeMs commit_ms);

  struct DatabaseState {
    bool connected = false;
    uint64_t reconnects = 0;
    uint64_t backlog = 0;
  };
  // Gauges and core totals; call about once a second.
  void publish(BrokerCore& core, const DatabaseState& database, uint64_t epoch, Now now);

 private:
  struct KindSeries {
    prometheus::Counter* submitted;
    prometheus::Counter* started;
    prometheus::Counter* succeeded;
    prometheus::Counter* failed;
    prometheus::Counter* retried;
    prometheus::Counter* dead;
    prometheus::Counter* cancelled;
    prometheus::Counter* partial;
  };
  struct QueueSeries {
    obs::AtomicHistogram* wait;
    obs::AtomicHistogram* run;
  };
  KindSeries& kindSeries(uint32_t queue, uint32_t kind);
  QueueSeries& queueSeries(uint32_t queue);
  prometheus::Gauge& queueGauge(prometheus::Family<prometheus::Gauge>& family,
                                const std::map<std::string, std::string>& labels);

  const BrokerCore* core_ = nullptr;
  // [queue][kind], grown when a new id appears.
  std::vector<std::vector<std::unique_ptr<KindSeries>>> kinds_;
  std::vector<std::unique_ptr<QueueSeries>> queues_;

  prometheus::Family<prometheus::Counter>& submitted_;
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& succeeded_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Family<prometheus::Counter>& retried_;
  prometheus::Family<prometheus::Counter>& dead_;
  prometheus::Family<prometheus::Counter>& cancelled_;
  prometheus::Family<prometheus::Counter>& partial_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& protocol_errors_;
  prometheus::Counter& unique_hits_;
  prometheus::Counter& stale_results_;
  prometheus::Counter& handed_back_;
  prometheus::Counter& workers_lost_;
  prometheus::Counter& reconnects_;
  prometheus::Family<prometheus::Gauge>& queue_jobs_;
  prometheus::Family<prometheus::Gauge>& ready_by_priority_;
  prometheus::Family<prometheus::Gauge>& front_wait_;
  prometheus::Family<prometheus::Gauge>& paused_;
  prometheus::Family<prometheus::Gauge>& unserved_;
  prometheus::Gauge& workers_;
  prometheus::Gauge& slots_;
  prometheus::Gauge& free_slots_;
  prometheus::Gauge& live_jobs_;
  prometheus::Gauge& database_up_;
  prometheus::Gauge& backlog_;
  prometheus::Gauge& epoch_;
  std::shared_ptr<obs::HistogramFamily> wait_;
  std::shared_ptr<obs::HistogramFamily> run_;
  std::shared_ptr<obs::HistogramFamily> batch_writes_;
  std::shared_ptr<obs::HistogramFamily> commit_seconds_;
  obs::AtomicHistogram& batch_writes_series_;
  obs::AtomicHistogram& commit_seconds_series_;
  // Gauges set at the last publish, zeroed at the next unless set again, so
  // a queue that emptied shows 0 rather than its last depth.
  std::map<prometheus::Gauge*, bool> published_;
  ResourceMetrics resources_;
};

}  // namespace gantry::broker
