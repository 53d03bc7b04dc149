// How jobs move between the core's parts (broker_core.h), and the counts
// that follow them: queue counts, key reservations, the lane gates' running
// counts, the worker's slots.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

BrokerCore::BrokerCore(const BrokerConfig& config, uint64_t seed)
    : config_(config),
      rng_(seed),
      keys_(config, jobs_, queues_),
      lanes_(jobs_),
      delayed_(jobs_),
      leases_(jobs_),
      resources_(config),
      observer_(&CoreObserver::none()) {
  admission_.add(std::make_unique<PauseGate>(queues_));
  admission_.add(std::make_unique<QueueCapGate>(config_, names_, queues_));
  admission_.add(std::make_unique<KindCapGate>(config_, names_));
  auto circuit_gate = std::make_unique<CircuitGate>(resources_);
  circuit_gate_ = circuit_gate.get();
  admission_.add(std::move(circuit_gate));
}

void BrokerCore::createLive(LiveJob& job) {
  if (job.kind >= live_by_kind_.size()) {
    live_by_kind_.resize(job.kind + 1, 0);
  }
  ++live_by_kind_[job.kind];
}

void BrokerCore::forget(LiveJob& job) {
  --live_by_kind_[job.kind];
  jobs_.erase(job);
}

void BrokerCore::enqueue(LiveJob& job, TimeMs due_mono_ms, Now now) {
  if (due_mono_ms > now.mono_ms) {
    delayed_.add(job, due_mono_ms);
    ++queues_.at(job.queue).delayed;
    return;
  }
  makeRunnable(job);
}

void BrokerCore::makeRunnable(LiveJob& job) {
  queues_.countReady(job, +1);
  if (!job.concurrency_key.empty() && !keys_.reserveOrWait(job)) {
    return;  // waits beside its key
  }
  lanes_.place(job);
}

void BrokerCore::placeReleased(const std::vector<LiveJob*>& released) {
  for (LiveJob* job : released) {
    lanes_.place(*job);
  }
}

void BrokerCore::unplace(LiveJob& job) {
  switch (job.slot) {
    case Slot::kLane:
      queues_.countReady(job, -1);
      if (!job.concurrency_key.empty()) {
        keys_.giveBack(job);
      }
      break;
    case Slot::kKeyWait:
      queues_.countReady(job, -1);
      keys_.leaveWaiting(job);
      break;
    case Slot::kDelayed:
      --queues_.at(job.queue).delayed;
      break;
    case Slot::kRunning:  // stopped by stopRunning, never here
    case Slot::kNone:
      break;
  }
  job.slot = Slot::kNone;
}

void BrokerCore::startRunning(LiveJob& job, WorkerSession& worker, Now now) {
  // It comes from its lane, where it held its key's reservation.
  queues_.countReady(job, -1);
  if (!job.concurrency_key.empty()) {
    keys_.started(job);
  }
  job.slot = Slot::kRunning;
  job.state = wire::RUNNING;
  ++job.attempt;
  job.started_at_ms = now.wall_ms;
  job.updated_at_ms = now.wall_ms;
  job.cancel_requested = false;
  job.mutableExtras().worker_id = worker.worker_id;
  job.lease = std::make_unique<Lease>();
  job.lease->token = rng_() | 1;  // never 0, which means "no lease"
  job.lease->worker_session = worker.id;
  job.lease->deadline_mono_ms = now.mono_ms + job.timeout_ms;
  job.lease->expires_mono_ms = job.lease->deadline_mono_ms + config_.lease_grace_ms;
  leases_.watch(job);
  // Due at run_at (the submit time unless delayed or retried); wall time,
  // since run_at is a wall time, and never negative across a clock step.
  observer_->attemptStarted(job.queue, job.kind, std::max<TimeMs>(0, now.wall_ms - job.run_at_ms));
  ++queues_.at(job.queue).running;
  admission_.started(job);
  worker.jobs.insert(job.id);
  persistTransition(job);
  sendAssign(job, worker);
}

void BrokerCore::stopRunning(LiveJob& job) {
  --queues_.at(job.queue).running;
  admission_.stopped(job);
  if (job.lease && job.lease->worker_session != 0) {
    if (WorkerSession* session = sessions_.byId(job.lease->worker_session)) {
      session->jobs.erase(job.id);
    }
  }
  job.lease.reset();
  job.slot = Slot::kNone;
  if (!job.concurrency_key.empty()) {
    keys_.stopped(job);
    placeReleased(keys_.release(job.concurrency_key));
  }
}

}  // namespace gantry::broker
