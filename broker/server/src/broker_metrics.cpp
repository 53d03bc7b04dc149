#include "gantry/broker/server/broker_metrics.h"

#include <algorithm>

namespace gantry::broker {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& registry,
                                                 const std::string& name, const std::string& help) {
  return BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& registry,
                                             const std::string& name, const std::string& help) {
  return BuildGauge().Name(name).Help(help).Register(registry);
}

std::shared_ptr<obs::HistogramFamily> histogram(obs::Observability& obs, std::string name,
                                                std::string help, std::vector<double> bounds) {
  auto family =
      std::make_shared<obs::HistogramFamily>(std::move(name), std::move(help), std::move(bounds));
  obs.add(family);
  return family;
}

std::string reasonOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return "invalid";
    case StatusCode::kResourceExhausted:
      return "queue_full";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kMalformed:
      return "malformed";
    case StatusCode::kUnsupportedVersion:
      return "unsupported_version";
    case StatusCode::kUnknownMessage:
      return "unknown_message";
    default:
      return "other";
  }
}

double seconds(TimeMs ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

BrokerMetrics::BrokerMetrics(obs::Observability& obs)
    : submitted_(counter(obs.registry(), "gantry_jobs_submitted_total",
                         "Jobs created by submits (unique-key hits excluded)")),
      started_(
          counter(obs.registry(), "gantry_jobs_started_total", "Attempts dispatched to a worker")),
      succeeded_(counter(obs.registry(), "gantry_jobs_succeeded_total", "Jobs that succeeded")),
      failed_(counter(obs.registry(), "gantry_jobs_failed_total",
                      "Attempts that failed (error, timeout, worker lost, fatal)")),
      retried_(counter(obs.registry(), "gantry_jobs_retried_total",
                       "Failed attempts followed by a retry after backoff")),
      dead_(counter(obs.registry(), "gantry_jobs_dead_total",
                    "Jobs that ended dead (fatal error or attempts exhausted)")),
      cancelled_(counter(obs.registry(), "gantry_jobs_cancelled_total", "Jobs cancelled")),
      partial_(counter(obs.registry(), "gantry_jobs_partial_total",
                       "Jobs that succeeded partially (also counted as succeeded)")),
      rejected_(counter(obs.registry(), "gantry_jobs_rejected_total",
                        "Jobs in submit requests the broker refused, by reason")),
      protocol_errors_(counter(obs.registry(), "gantry_protocol_errors_total",
                               "Messages from peers that were refused, by type")),
      unique_hits_(counter(obs.registry(), "gantry_unique_hits_total",
                           "Submitted jobs whose unique key a live job already held")
                       .Add({})),
      stale_results_(counter(obs.registry(), "gantry_stale_results_total",
                             "Results of superseded attempts, ignored")
                         .Add({})),
      handed_back_(counter(obs.registry(), "gantry_handed_back_total",
                           "Attempts workers gave back unfinished")
                       .Add({})),
      workers_lost_(counter(obs.registry(), "gantry_workers_lost_total",
                            "Workers declared lost (silent or disconnected)")
                        .Add({})),
      reconnects_(counter(obs.registry(), "gantry_database_reconnects_total",
                          "Times the write connection to Postgres was re-established")
                      .Add({})),
      queue_jobs_(gauge(obs.registry(), "gantry_queue_jobs",
                        "Jobs in a queue by state (ready, delayed, running)")),
      ready_by_priority_(
          gauge(obs.registry(), "gantry_queue_ready_jobs", "Ready jobs in a queue by priority")),
      front_wait_(gauge(obs.registry(), "gantry_queue_oldest_ready_age_seconds",
                        "How long the job at the front of a queue's line has been due")),
      paused_(gauge(obs.registry(), "gantry_queue_paused", "1 while a queue is paused")),
      unserved_(gauge(obs.registry(), "gantry_kind_unserved_jobs",
                      "Live jobs of a kind no connected worker runs")),
      workers_(gauge(obs.registry(), "gantry_workers_connected", "Workers connected").Add({})),
      slots_(gauge(obs.registry(), "gantry_pool_slots", "Slots of all connected workers").Add({})),
      free_slots_(gauge(obs.registry(), "gantry_pool_slots_free",
                        "Slots of connected workers not running a job")
                      .Add({})),
      live_jobs_(gauge(obs.registry(), "gantry_live_jobs", "Jobs not yet final").Add({})),
      database_up_(gauge(obs.registry(), "gantry_database_up",
                         "1 while the broker's write connection to Postgres is up")
                       .Add({})),
      backlog_(gauge(obs.registry(), "gantry_commit_backlog_writes",
                     "Writes queued for the next group commit")
                   .Add({})),
      epoch_(gauge(obs.registry(), "gantry_broker_owner_epoch",
                   "Ownership epoch of this broker (0 while not the owner)")
                 .Add({})),
      wait_(histogram(obs, "gantry_job_wait_seconds",
                      "Time from a job being due to its attempt's dispatch, by queue",
                      obs::durationBucketsSeconds())),
      run_(histogram(obs, "gantry_job_run_seconds",
                     "Time from dispatch to the attempt's end, by queue",
                     obs::durationBucketsSeconds())),
      batch_writes_(histogram(obs, "gantry_commit_batch_writes", "Rows written by one group commit",
                              {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000})),
      commit_seconds_(histogram(
          obs, "gantry_commit_duration_seconds", "Time one group commit took, fsync included",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10})),
      batch_writes_series_(batch_writes_->add({})),
      commit_seconds_series_(commit_seconds_->add({})),
      resources_(obs.registry()) {}

BrokerMetrics::KindSeries& BrokerMetrics::kindSeries(uint32_t queue, uint32_t kind) {
  if (queue >= kinds_.size()) {
    kinds_.resize(queue + 1);
  }
  auto& row = kinds_[queue];
  if (kind >= row.size()) {
    row.resize(kind + 1);
  }
  if (!row[kind]) {
    const std::map<std::string, std::string> labels = {{"queue", core_->name(queue)},
                                                       {"kind", core_->name(kind)}};
    row[kind] = std::make_unique<KindSeries>(
        KindSeries{&submitted_.Add(labels), &started_.Add(labels), &succeeded_.Add(labels),
                   &failed_.Add(labels), &retried_.Add(labels), &dead_.Add(labels),
                   &cancelled_.Add(labels), &partial_.Add(labels)});
  }
  return *row[kind];
}

BrokerMetrics::QueueSeries& BrokerMetrics::queueSeries(uint32_t queue) {
  if (queue >= queues_.size()) {
    queues_.resize(queue + 1);
  }
  if (!queues_[queue]) {
    const std::map<std::string, std::string> labels = {{"queue", core_->name(queue)}};
    queues_[queue] =
        std::make_unique<QueueSeries>(QueueSeries{&wait_->add(labels), &run_->add(labels)});
  }
  return *queues_[queue];
}

void BrokerMetrics::jobSubmitted(uint32_t queue, uint32_t kind) {
  kindSeries(queue, kind).submitted->Increment();
}

void BrokerMetrics::attemptStarted(uint32_t queue, uint32_t kind, TimeMs waited_ms) {
  kindSeries(queue, kind).started->Increment();
  queueSeries(queue).wait->observe(seconds(waited_ms));
}

void BrokerMetrics::attemptEnded(uint32_t queue, uint32_t kind, wire::Outcome outcome,
                                 TimeMs ran_ms) {
  if (outcome != wire::OUTCOME_SUCCEEDED && outcome != wire::OUTCOME_CANCELLED &&
      outcome != wire::OUTCOME_HANDED_BACK) {
    kindSeries(queue, kind).failed->Increment();
  }
  queueSeries(queue).run->observe(seconds(ran_ms));
}

void BrokerMetrics::jobRetried(uint32_t queue, uint32_t kind) {
  kindSeries(queue, kind).retried->Increment();
}

void BrokerMetrics::jobFinished(uint32_t queue, uint32_t kind, wire::JobState state) {
  KindSeries& series = kindSeries(queue, kind);
  switch (state) {
    case wire::SUCCEEDED:
      series.succeeded->Increment();
      break;
    case wire::DEAD:
      series.dead->Increment();
      break;
    case wire::CANCELLED:
      series.cancelled->Increment();
      break;
    default:
      break;
  }
}

void BrokerMetrics::jobPartial(uint32_t queue, uint32_t kind) {
  kindSeries(queue, kind).partial->Increment();
}

void BrokerMetrics::submitRejected(StatusCode code, size_t jobs) {
  rejected_.Add({{"reason", reasonOf(code)}}).Increment(static_cast<double>(jobs));
}

void BrokerMetrics::protocolError(StatusCode code) {
  protocol_errors_.Add({{"type", reasonOf(code)}}).Increment();
}

void BrokerMetrics::committed(size_t writes, TimeMs commit_ms) {
  batch_writes_series_.observe(static_cast<double>(writes));
  commit_seconds_series_.observe(seconds(commit_ms));
}

prometheus::Gauge& BrokerMetrics::queueGauge(prometheus::Family<prometheus::Gauge>& family,
                                             const std::map<std::string, std::string>& labels) {
  prometheus::Gauge& gauge = family.Add(labels);
  published_[&gauge] = true;
  return gauge;
}

void BrokerMetrics::publish(BrokerCore& core, const DatabaseState& database, uint64_t epoch,
                            Now now) {
  for (auto& [gauge, set] : published_) {
    set = false;
  }
  const wire::StatsReply stats = core.stats(now);
  resources_.publish(stats, now.wall_ms);
  for (const auto& queue : stats.queues()) {
    const std::string& name = queue.queue();
    queueGauge(queue_jobs_, {{"queue", name}, {"state", "ready"}})
        .Set(static_cast<double>(queue.queued()));
    queueGauge(queue_jobs_, {{"queue", name}, {"state", "delayed"}})
        .Set(static_cast<double>(queue.delayed()));
    queueGauge(queue_jobs_, {{"queue", name}, {"state", "running"}})
        .Set(static_cast<double>(queue.running()));
    queueGauge(paused_, {{"queue", name}}).Set(queue.paused() ? 1 : 0);
    for (const auto& [priority, count] : queue.queued_by_priority()) {
      queueGauge(ready_by_priority_, {{"queue", name}, {"priority", std::to_string(priority)}})
          .Set(static_cast<double>(count));
    }
  }
  for (const auto& [queue, waited_ms] : core.frontWaits(now)) {
    queueGauge(front_wait_, {{"queue", core.name(queue)}}).Set(seconds(waited_ms));
  }
  for (const auto& unserved : stats.unserved_kinds()) {
    queueGauge(unserved_, {{"kind", unserved.kind()}}).Set(static_cast<double>(unserved.jobs()));
  }
  for (auto& [gauge, set] : published_) {
    if (!set) {
      gauge->Set(0);
    }
  }
  const BrokerCore::SlotUse slots = core.slotUse();
  workers_.Set(static_cast<double>(slots.workers));
  slots_.Set(static_cast<double>(slots.slots));
  free_slots_.Set(static_cast<double>(slots.slots - slots.busy));
  live_jobs_.Set(static_cast<double>(core.liveJobs()));
  const CoreCounters& totals = core.counters();
  advanceCounter(unique_hits_, static_cast<double>(totals.unique_hits));
  advanceCounter(stale_results_, static_cast<double>(totals.stale_results));
  advanceCounter(handed_back_, static_cast<double>(totals.handed_back));
  advanceCounter(workers_lost_, static_cast<double>(totals.workers_lost));
  advanceCounter(reconnects_, static_cast<double>(database.reconnects));
  database_up_.Set(database.connected ? 1 : 0);
  backlog_.Set(static_cast<double>(database.backlog));
  epoch_.Set(static_cast<double>(epoch));
}

}  // namespace gantry::broker
