// Operator requests (cancel, pause, revive) and recovery at start.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

wire::IdOutcomesReply BrokerCore::cancel(const wire::CancelRequest& request, Now now) {
  wire::IdOutcomesReply reply;
  for (uint64_t id : request.ids()) {
    auto* outcome = reply.add_outcomes();
    outcome->set_id(id);
    LiveJob* job = jobs_.find(id);
    if (job == nullptr) {
      outcome->set_ok(false);
      outcome->set_code(wire::NOT_FOUND);
      outcome->set_message("job " + std::to_string(id) + " not found");
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
    const WorkerSession* worker = sessions_.byId(job->lease->worker_session);
    if (worker == nullptr) {
      outcome->set_message("cancelling: ends when its lease expires");
      continue;
    }
    sendCancel(*worker, id, job->lease->token);
    outcome->set_message("cancelling: worker " + worker->worker_id + " was told to stop");
  }
  dispatch(now);
  return reply;
}

Status BrokerCore::setPaused(const std::string& queue, bool paused, Now now) {
  if (Status s = validateQueueName(queue, config_.limits); !s.isOk()) {
    return s;
  }
  const uint32_t id = names_.intern(queue);
  QueueState& state = queues_.at(id);
  if (state.paused != paused) {
    state.paused = paused;
    if (paused) {
      std::vector<LiveJob*> keyed_in_lanes;
      jobs_.forEach([&](LiveJob& job) {
        if (job.slot == Slot::kLane && job.queue == id && !job.concurrency_key.empty()) {
          keyed_in_lanes.push_back(&job);
        }
      });
      placeReleased(keys_.holdPaused(keyed_in_lanes));
    } else {
      placeReleased(keys_.releaseAll());
    }
  }
  effects_.writes.addQueueSetting({queue, paused});
  dispatch(now);
  return Status::ok();
}

QueueRoom BrokerCore::queueRoom() const {
  std::unordered_map<std::string, uint64_t> live;
  for (const auto& [id, state] : queues_.all()) {
    if (state.live() > 0) {
      live.emplace(names_.name(id), state.live());
    }
  }
  return QueueRoom(std::move(live), config_);
}

void BrokerCore::beginRestore(const RecoveredState& state, Now now) {
  jobs_.continueAfter(state.max_job_id);
  for (const auto& queue : state.paused_queues) {
    queues_.at(names_.intern(queue)).paused = true;
  }
}

void BrokerCore::restoreJob(const JobRow& row, Now now) {
  LiveJob& job = createFromRow(row, now);
  if (row.status.state != wire::RUNNING) {
    enqueue(job, now.monoWhenWallShows(job.run_at_ms), now);
    return;
  }
  job.slot = Slot::kRunning;
  job.lease = std::make_unique<Lease>();
  job.lease->token = row.status.lease;
  job.lease->deadline_mono_ms = now.monoAt(row.status.started_at_ms + row.fixed.timeout_ms);
  job.lease->expires_mono_ms = now.mono_ms + config_.recovery_grace_ms;
  leases_.watch(job);
  ++queues_.at(job.queue).running;
  admission_.started(job);
  if (!job.concurrency_key.empty()) {
    keys_.restoredRunning(job);
  }
}

void BrokerCore::adoptRevived(std::vector<JobRow> rows, Now now) {
  for (JobRow& row : rows) {
    row.fixed.created_at_ms = now.wall_ms;  // ranks it as a fresh arrival
    LiveJob& job = createFromRow(row, now);
    enqueue(job, now.monoWhenWallShows(job.run_at_ms), now);
  }
  dispatch(now);
}

}  // namespace gantry::broker
