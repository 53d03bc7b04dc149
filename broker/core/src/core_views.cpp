// What the core shows: stats, workers, and a live job by id.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

wire::StatsReply BrokerCore::stats(Now now) const {
  wire::StatsReply reply;
  for (const auto& [queue_id, qs] : queues_.all()) {
    auto* out = reply.add_queues();
    out->set_queue(names_.name(queue_id));
    out->set_paused(qs.paused);
    out->set_queued(qs.ready);
    out->set_delayed(qs.delayed);
    out->set_running(qs.running);
    out->set_capacity(config_.capacityFor(names_.name(queue_id)));
    for (int p = kMinPriority; p <= kMaxPriority; ++p) {
      if (qs.ready_by_priority[p] > 0) {
        (*out->mutable_queued_by_priority())[p] = qs.ready_by_priority[p];
      }
    }
  }
  std::sort(reply.mutable_queues()->begin(), reply.mutable_queues()->end(),
            [](const auto& a, const auto& b) { return a.queue() < b.queue(); });
  for (uint32_t kind = 0; kind < live_by_kind_.size(); ++kind) {
    if (live_by_kind_[kind] > 0 && !sessions_.anyRuns(kind)) {
      auto* unserved = reply.add_unserved_kinds();
      unserved->set_kind(names_.name(kind));
      unserved->set_jobs(live_by_kind_[kind]);
    }
  }
  std::sort(reply.mutable_unserved_kinds()->begin(), reply.mutable_unserved_kinds()->end(),
            [](const auto& a, const auto& b) { return a.kind() < b.kind(); });
  reply.set_workers(sessions_.size());
  reply.set_submitted_total(counters_.submitted);
  reply.set_succeeded_total(counters_.succeeded);
  reply.set_failed_total(counters_.failed_attempts);
  reply.set_retried_total(counters_.retried);
  reply.set_dead_total(counters_.dead);
  reply.set_cancelled_total(counters_.cancelled);
  reply.set_stale_results_total(counters_.stale_results);
  reply.set_unique_hits_total(counters_.unique_hits);
  reply.set_handed_back_total(counters_.handed_back);
  reply.set_partial_total(counters_.partial);
  resources_.addStats(reply, now);
  return reply;
}

wire::WorkersReply BrokerCore::workers(Now now) const {
  wire::WorkersReply reply;
  sessions_.forEach([&](const WorkerSession& session) {
    auto* out = reply.add_workers();
    out->set_worker_id(session.worker_id);
    out->set_host(session.host);
    out->set_pid(session.pid);
    for (uint32_t kind : session.kinds) {
      out->add_kinds(names_.name(kind));
    }
    out->set_slots(session.slots);
    out->set_busy(session.busy());
    out->set_connected_at_ms(session.connected_at_ms);
    out->set_last_seen_ms(now.wallAt(session.last_seen_mono_ms));
  });
  std::sort(reply.mutable_workers()->begin(), reply.mutable_workers()->end(),
            [](const auto& a, const auto& b) { return a.worker_id() < b.worker_id(); });
  return reply;
}

std::optional<wire::Job> BrokerCore::findActive(uint64_t id) const {
  const LiveJob* job = jobs_.find(id);
  if (job == nullptr) {
    return std::nullopt;
  }
  return toWire(*job);
}

void BrokerCore::addLiveProgress(wire::Job& job) const {
  if (const LiveJob* live = jobs_.find(job.id())) {
    addProgress(*live, job);
  }
}

}  // namespace gantry::broker
