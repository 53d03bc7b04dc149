// Matching runnable jobs to worker slots under the caps.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

bool BrokerCore::laneRunnable(const Lane& lane) const {
  auto q = queues_.find(lane.queue);
  if (q != queues_.end()) {
    if (q->second.paused || q->second.running >= lane.queue_limit) {
      return false;
    }
  }
  if (lane.kind_limit != UINT32_MAX) {
    auto k = running_by_kind_.find(lane.kind);
    if (k != running_by_kind_.end() && k->second >= lane.kind_limit) {
      return false;
    }
  }
  return true;
}

LiveJob* BrokerCore::popBest(const WorkerSession& worker) {
  Lane* best = nullptr;
  for (Lane& lane : lanes_) {
    if (!std::binary_search(worker.kinds.begin(), worker.kinds.end(), lane.kind)) {
      continue;
    }
    // Drop stale entries so the top is a real candidate.
    while (!lane.heap.empty()) {
      const HeapEntry& top = lane.heap.top();
      const LiveJob* job = findJob(top.id);
      if (job != nullptr && job->slot == Slot::kLane && job->heap_seq == top.seq) {
        break;
      }
      lane.heap.pop();
    }
    if (lane.heap.empty() || !laneRunnable(lane)) {
      continue;
    }
    if (best == nullptr) {
      best = &lane;
      continue;
    }
    const HeapEntry& a = lane.heap.top();
    const HeapEntry& b = best->heap.top();
    if (a.order < b.order || (a.order == b.order && a.id < b.id)) {
      best = &lane;
    }
  }
  if (best == nullptr) {
    return nullptr;
  }
  const uint64_t id = best->heap.top().id;
  best->heap.pop();
  return findJob(id);
}

bool BrokerCore::assignOne(WorkerSession& worker, TimeMs now) {
  LiveJob* job = popBest(worker);
  if (job == nullptr) {
    return false;
  }
  startAttempt(*job, worker, now);
  return true;
}

void BrokerCore::dispatch(TimeMs now) {
  if (dispatch_order_.empty()) {
    return;
  }
  // One job per worker per round, so work spreads across the pool.
  bool progress = true;
  while (progress) {
    progress = false;
    for (uint64_t session_id : dispatch_order_) {
      auto it = sessions_.find(session_id);
      if (it != sessions_.end() && it->second.freeSlots() > 0 && assignOne(it->second, now)) {
        progress = true;
      }
    }
  }
  std::rotate(dispatch_order_.begin(), dispatch_order_.begin() + 1, dispatch_order_.end());
}

void BrokerCore::startAttempt(LiveJob& job, WorkerSession& worker, TimeMs now) {
  unplace(job);
  if (!job.concurrency_key.empty()) {
    ++keys_[job.concurrency_key].running;
  }
  job.slot = Slot::kRunning;
  job.state = wire::RUNNING;
  ++job.attempt;
  job.started_at_ms = now;
  job.updated_at_ms = now;
  job.cancel_requested = false;
  job.mutableExtras().worker_id = worker.worker_id;
  job.lease = std::make_unique<Lease>();
  job.lease->token = rng_() | 1;  // never 0, which means "no lease"
  job.lease->worker_session = worker.id;
  job.lease->worker_id = worker.worker_id;
  job.lease->deadline_ms = now + job.timeout_ms;
  job.lease->expires_ms = job.lease->deadline_ms + config_.lease_grace_ms;
  job.heap_seq = next_heap_seq_++;
  leases_.push({job.lease->expires_ms, job.id, job.heap_seq});
  ++queueState(job.queue).running;
  ++running_by_kind_[job.kind];
  worker.jobs.insert(job.id);
  persistTransition(job);

  wire::Envelope env;
  auto* assign = env.mutable_assign();
  *assign->mutable_job() = toWire(job);
  assign->set_lease(job.lease->token);
  assign->set_deadline_ms(job.lease->deadline_ms);
  sendToWorker(worker, std::move(env));
}

}  // namespace gantry::broker
