// Operator requests (cancel, pause, revive, stats, workers), recovery at
// start, and conversions between the live index and rows / wire messages.
#include "gantry/broker/core/broker_core.h"
#include "gantry/broker/core/row_wire.h"

#include <algorithm>

namespace gantry::broker {

LiveJob* BrokerCore::findJob(uint64_t id) {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

Effects BrokerCore::takeEffects() {
  return std::exchange(effects_, {});
}

wire::IdOutcomesReply BrokerCore::cancel(const wire::CancelRequest& request, TimeMs now) {
  wire::IdOutcomesReply reply;
  for (uint64_t id : request.ids()) {
    auto* outcome = reply.add_outcomes();
    outcome->set_id(id);
    LiveJob* job = findJob(id);
    if (job == nullptr) {
      outcome->set_ok(false);
      outcome->set_code(wire::NOT_FOUND);
      outcome->set_message("job " + std::to_string(id) +
                           " is not active (unknown or already final)");
      continue;
    }
    outcome->set_ok(true);
    if (job->slot != Slot::kRunning) {
      cancelQueued(*job, now);
      outcome->set_message("cancelled");
      continue;
    }
    if (job->cancel_requested) {
      outcome->set_message("cancellation already requested");
      continue;
    }
    job->cancel_requested = true;
    auto it = sessions_.find(job->lease->worker_session);
    if (it == sessions_.end()) {
      outcome->set_message("cancelling: ends when its lease expires");
      continue;
    }
    wire::Envelope env;
    env.mutable_cancel_job()->set_job_id(id);
    env.mutable_cancel_job()->set_lease(job->lease->token);
    sendToWorker(it->second, std::move(env));
    outcome->set_message("cancelling: worker " + it->second.worker_id + " was told to stop");
  }
  dispatch(now);
  return reply;
}

Status BrokerCore::setPaused(const std::string& queue, bool paused) {
  wire::JobSpec probe;
  probe.set_kind("probe");
  probe.set_queue(queue);
  if (queue.empty()) {
    return invalidArgument("queue name must not be empty");
  }
  if (Status s = validateJobSpec(probe, config_.limits); !s.isOk()) {
    return s;
  }
  const uint32_t id = names_.intern(queue);
  QueueState& state = queueState(id);
  if (state.paused != paused) {
    state.paused = paused;
    if (paused) {
      releaseKeySlotsOfPausedQueue(id);
    } else {
      promoteAllKeyWaiters();
    }
  }
  effects_.writes.addQueueSetting({queue, paused});
  return Status::ok();
}

QueueRoom BrokerCore::queueRoom() const {
  std::unordered_map<std::string, uint64_t> live;
  for (const auto& [id, state] : queues_) {
    if (state.live() > 0) {
      live.emplace(names_.name(id), state.live());
    }
  }
  return QueueRoom(std::move(live), config_);
}

LiveJob& BrokerCore::createFromRow(const JobRow& row) {
  LiveJob& job = jobs_[row.id];
  job.id = row.id;
  job.queue = names_.intern(row.queue);
  job.kind = names_.intern(row.kind);
  job.priority = std::clamp(row.priority, kMinPriority, kMaxPriority);
  job.state = row.state;
  job.attempt = row.attempt;
  job.max_attempts = row.max_attempts;
  job.timeout_ms = row.timeout_ms;
  job.run_at_ms = row.run_at_ms;
  job.created_at_ms = row.created_at_ms;
  job.updated_at_ms = row.updated_at_ms;
  job.started_at_ms = row.started_at_ms;
  job.payload = row.payload;
  job.concurrency_key = row.concurrency_key;
  if (!row.unique_key.empty() || !row.traceparent.empty() || !row.last_error.empty() ||
      !row.worker_id.empty()) {
    JobExtras& extras = job.mutableExtras();
    extras.traceparent = row.traceparent;
    extras.last_error = row.last_error;
    extras.worker_id = row.worker_id;
    // A revived job whose unique key was taken meanwhile runs without it.
    if (!row.unique_key.empty() && unique_keys_.emplace(row.unique_key, row.id).second) {
      extras.unique_key = row.unique_key;
    }
  }
  job.rank = std::max(job.run_at_ms, job.created_at_ms) - job.priority * config_.aging_ms;
  return job;
}

void BrokerCore::restore(RecoveredState state, TimeMs now) {
  next_job_id_ = std::max(next_job_id_, state.max_job_id + 1);
  for (const auto& queue : state.paused_queues) {
    queueState(names_.intern(queue)).paused = true;
  }
  std::sort(state.active.begin(), state.active.end(),
            [](const JobRow& a, const JobRow& b) { return a.id < b.id; });
  // Running jobs first: they hold key slots the queued ones must respect.
  for (const JobRow& row : state.active) {
    if (row.state != wire::RUNNING) {
      continue;
    }
    LiveJob& job = createFromRow(row);
    job.slot = Slot::kRunning;
    job.lease = std::make_unique<Lease>();
    job.lease->token = row.lease;
    job.lease->worker_id = row.worker_id;
    job.lease->deadline_ms = row.started_at_ms + row.timeout_ms;
    job.lease->expires_ms = now + config_.recovery_grace_ms;
    job.heap_seq = next_heap_seq_++;
    leases_.push({job.lease->expires_ms, job.id, job.heap_seq});
    ++queueState(job.queue).running;
    ++running_by_kind_[job.kind];
    if (!job.concurrency_key.empty()) {
      ++keys_[job.concurrency_key].running;
    }
  }
  for (const JobRow& row : state.active) {
    if (row.state == wire::RUNNING) {
      continue;
    }
    makeRunnable(createFromRow(row), now);
  }
}

void BrokerCore::adoptRevived(std::vector<JobRow> rows, TimeMs now) {
  for (JobRow& row : rows) {
    row.created_at_ms = now;  // ranks it as a fresh arrival
    makeRunnable(createFromRow(row), now);
  }
  dispatch(now);
}

wire::StatsReply BrokerCore::stats() const {
  wire::StatsReply reply;
  for (const auto& [queue_id, qs] : queues_) {
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
  reply.set_workers(sessions_.size());
  reply.set_submitted_total(counters_.submitted);
  reply.set_succeeded_total(counters_.succeeded);
  reply.set_failed_total(counters_.failed_attempts);
  reply.set_retried_total(counters_.retried);
  reply.set_dead_total(counters_.dead);
  reply.set_cancelled_total(counters_.cancelled);
  reply.set_stale_results_total(counters_.stale_results);
  reply.set_unique_hits_total(counters_.unique_hits);
  return reply;
}

wire::WorkersReply BrokerCore::workers() const {
  wire::WorkersReply reply;
  for (const auto& [id, session] : sessions_) {
    auto* out = reply.add_workers();
    out->set_worker_id(session.worker_id);
    out->set_host(session.host);
    out->set_pid(session.pid);
    for (uint32_t kind : session.kinds) {
      out->add_kinds(names_.name(kind));
    }
    out->set_slots(session.slots);
    out->set_busy(static_cast<uint32_t>(session.jobs.size()));
    out->set_connected_at_ms(session.connected_at_ms);
    out->set_last_seen_ms(session.last_seen_ms);
  }
  std::sort(reply.mutable_workers()->begin(), reply.mutable_workers()->end(),
            [](const auto& a, const auto& b) { return a.worker_id() < b.worker_id(); });
  return reply;
}

std::optional<wire::Job> BrokerCore::findActive(uint64_t id) const {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    return std::nullopt;
  }
  return toWire(it->second);
}

wire::Job BrokerCore::toWire(const LiveJob& job) const {
  wire::Job out = rowToWire(toRow(job));
  addProgress(job, out);
  return out;
}

void BrokerCore::addProgress(const LiveJob& job, wire::Job& out) {
  if (job.slot == Slot::kRunning && job.lease && job.lease->progress) {
    out.set_has_progress(true);
    out.set_progress_percent(job.lease->progress->percent());
    out.set_progress_message(job.lease->progress->message());
  }
}

void BrokerCore::addLiveProgress(wire::Job& job) const {
  auto it = jobs_.find(job.id());
  if (it != jobs_.end()) {
    addProgress(it->second, job);
  }
}

JobRow BrokerCore::toRow(const LiveJob& job) const {
  JobRow row;
  row.id = job.id;
  row.queue = names_.name(job.queue);
  row.kind = names_.name(job.kind);
  row.priority = job.priority;
  row.payload = job.payload;
  row.concurrency_key = job.concurrency_key;
  row.unique_key = job.uniqueKey();
  row.traceparent = job.traceparent();
  row.run_at_ms = job.run_at_ms;
  row.max_attempts = job.max_attempts;
  row.timeout_ms = job.timeout_ms;
  row.state = job.state;
  row.attempt = job.attempt;
  row.created_at_ms = job.created_at_ms;
  row.updated_at_ms = job.updated_at_ms;
  row.started_at_ms = job.started_at_ms;
  row.last_error = job.lastError();
  row.worker_id = job.workerId();
  row.lease = job.lease ? job.lease->token : 0;
  return row;
}

}  // namespace gantry::broker
