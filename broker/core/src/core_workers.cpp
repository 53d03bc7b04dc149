// Worker sessions: announce, credit, liveness, leases and heartbeats.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"
#include "gantry/common/codec.h"
#include "gantry/common/utf8.h"

namespace gantry::broker {
namespace {

constexpr uint32_t kMaxSlotsPerWorker = 10'000;

}  // namespace

void BrokerCore::sendToWorker(const WorkerSession& worker, wire::Envelope envelope) {
  effects_.to_workers.push_back({worker.routing_id, std::move(envelope)});
}

BrokerCore::WorkerSession* BrokerCore::sessionFor(const std::string& routing_id, TimeMs now) {
  auto it = session_by_routing_.find(routing_id);
  if (it == session_by_routing_.end()) {
    // Not announced (or declared dead): ask it to announce itself again.
    wire::Envelope env;
    env.mutable_reannounce();
    effects_.to_workers.push_back({routing_id, std::move(env)});
    return nullptr;
  }
  WorkerSession& session = sessions_.at(it->second);
  session.last_seen_ms = now;
  return &session;
}

void BrokerCore::onHello(const std::string& routing_id, const wire::WorkerHello& hello,
                         TimeMs now) {
  // Leases the worker still holds survive the old session; the rest failed.
  std::unordered_map<uint64_t, uint64_t> held;
  for (const auto& lease : hello.held()) {
    held.emplace(lease.job_id(), lease.lease());
  }
  std::vector<uint64_t> replaced;
  for (const auto& [id, session] : sessions_) {
    if (session.routing_id == routing_id ||
        (!hello.worker_id().empty() && session.worker_id == hello.worker_id())) {
      replaced.push_back(id);
    }
  }
  for (uint64_t id : replaced) {
    for (uint64_t job_id : sessions_.at(id).jobs) {
      LiveJob* job = findJob(job_id);
      auto h = held.find(job_id);
      if (job != nullptr && job->lease && h != held.end() && h->second == job->lease->token) {
        job->lease->worker_session = 0;  // orphan until adopted below
      }
    }
    dropSession(id, "worker re-announced without the job", now);
  }

  WorkerSession session;
  session.id = next_session_++;
  session.routing_id = routing_id;
  session.worker_id = hello.worker_id().empty() ? "worker-" + std::to_string(session.id)
                                                : hello.worker_id();
  session.host = hello.host();
  session.pid = hello.pid();
  for (const auto& kind : hello.kinds()) {
    session.kinds.push_back(names_.intern(kind));
  }
  std::sort(session.kinds.begin(), session.kinds.end());
  session.slots = std::min(hello.slots(), kMaxSlotsPerWorker);
  session.connected_at_ms = now;
  session.last_seen_ms = now;
  const uint64_t id = session.id;
  session_by_routing_[routing_id] = id;
  dispatch_order_.push_back(id);
  WorkerSession& stored = sessions_.emplace(id, std::move(session)).first->second;
  adoptHeldLeases(stored, hello, now);
  dispatch(now);
}

void BrokerCore::adoptHeldLeases(WorkerSession& worker, const wire::WorkerHello& hello,
                                 TimeMs now) {
  for (const auto& held : hello.held()) {
    LiveJob* job = findJob(held.job_id());
    if (job != nullptr && job->slot == Slot::kRunning && job->lease &&
        job->lease->token == held.lease() && job->lease->worker_session == 0) {
      job->lease->worker_session = worker.id;
      job->lease->worker_id = worker.worker_id;
      job->mutableExtras().worker_id = worker.worker_id;
      job->lease->expires_ms = job->lease->deadline_ms + config_.lease_grace_ms;
      job->heap_seq = next_heap_seq_++;
      leases_.push({job->lease->expires_ms, job->id, job->heap_seq});
      worker.jobs.insert(job->id);
      if (job->cancel_requested) {  // cancelled while waiting for its worker
        wire::Envelope env;
        env.mutable_cancel_job()->set_job_id(job->id);
        env.mutable_cancel_job()->set_lease(held.lease());
        sendToWorker(worker, std::move(env));
      }
      continue;
    }
    // The worker runs an attempt the broker no longer stands behind.
    wire::Envelope env;
    env.mutable_cancel_job()->set_job_id(held.job_id());
    env.mutable_cancel_job()->set_lease(held.lease());
    sendToWorker(worker, std::move(env));
  }
}

void BrokerCore::dropSession(uint64_t session_id, const std::string& why, TimeMs now) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) {
    return;
  }
  const std::vector<uint64_t> job_ids(it->second.jobs.begin(), it->second.jobs.end());
  for (uint64_t job_id : job_ids) {
    LiveJob* job = findJob(job_id);
    if (job == nullptr || !job->lease || job->lease->worker_session != session_id) {
      continue;
    }
    recordAttempt(*job, wire::OUTCOME_RETRYABLE, "worker lost: " + why, now);
    releaseRunning(*job);
    failAttempt(*job, "worker lost: " + why, now, Retry::kNow);
  }
  session_by_routing_.erase(it->second.routing_id);
  sessions_.erase(it);
  std::erase(dispatch_order_, session_id);
}

void BrokerCore::onCredit(const std::string& routing_id, const wire::WorkerCredit& credit,
                          TimeMs now) {
  if (WorkerSession* worker = sessionFor(routing_id, now)) {
    worker->slots = std::min(credit.slots(), kMaxSlotsPerWorker);
    dispatch(now);
  }
}

void BrokerCore::onProgress(const std::string& routing_id, const wire::Progress& progress,
                            TimeMs now) {
  const WorkerSession* worker = sessionFor(routing_id, now);
  if (worker == nullptr) {
    return;
  }
  // Only the current attempt's own worker may report on it.
  LiveJob* job = findJob(progress.job_id());
  if (job == nullptr || job->slot != Slot::kRunning || !job->lease ||
      job->lease->token != progress.lease() || job->lease->worker_session != worker->id) {
    return;  // late, from an attempt that ended: nothing to show
  }
  wire::Progress& kept = job->lease->progress.emplace(progress);
  kept.set_percent(std::min<uint32_t>(kept.percent(), 100));
  if (kept.message().size() > kMaxProgressMessageBytes) {
    kept.set_message(sanitizeText(kept.message(), kMaxProgressMessageBytes));
  }
}

void BrokerCore::onHeartbeat(const std::string& routing_id, TimeMs now) {
  (void)sessionFor(routing_id, now);
}

std::optional<std::string> BrokerCore::onDisconnected(const std::string& routing_id,
                                                      TimeMs now) {
  auto it = session_by_routing_.find(routing_id);
  if (it == session_by_routing_.end()) {
    return std::nullopt;
  }
  std::string worker_id = sessions_.at(it->second).worker_id;
  ++counters_.workers_lost;
  dropSession(it->second, "its connection closed", now);
  dispatch(now);
  return worker_id;
}

std::vector<std::string> BrokerCore::workerRoutingIds() const {
  std::vector<std::string> ids;
  ids.reserve(session_by_routing_.size());
  for (const auto& [routing_id, session] : session_by_routing_) {
    ids.push_back(routing_id);
  }
  return ids;
}

void BrokerCore::expireWorkers(TimeMs now) {
  std::vector<uint64_t> silent;
  for (const auto& [id, session] : sessions_) {
    if (now - session.last_seen_ms > config_.livenessMs()) {
      silent.push_back(id);
    }
  }
  for (uint64_t id : silent) {
    ++counters_.workers_lost;
    dropSession(id, "no heartbeat for " + std::to_string(config_.livenessMs()) + " ms", now);
  }
}

void BrokerCore::expireLeases(TimeMs now) {
  while (!leases_.empty() && leases_.top().order <= now) {
    const HeapEntry entry = leases_.top();
    leases_.pop();
    LiveJob* job = findJob(entry.id);
    if (job == nullptr || job->slot != Slot::kRunning || job->heap_seq != entry.seq) {
      continue;
    }
    std::string why;
    Retry retry = Retry::kNow;
    if (job->lease->worker_session == 0) {
      why = "worker did not re-announce the job after a broker restart";
    } else {
      retry = Retry::kAfterBackoff;
      why = "timed out: no report " + std::to_string(job->timeout_ms + config_.lease_grace_ms) +
            " ms after the start (timeout plus lease grace)";
      if (auto it = sessions_.find(job->lease->worker_session); it != sessions_.end()) {
        wire::Envelope env;
        env.mutable_cancel_job()->set_job_id(job->id);
        env.mutable_cancel_job()->set_lease(job->lease->token);
        sendToWorker(it->second, std::move(env));
      }
    }
    recordAttempt(*job, wire::OUTCOME_RETRYABLE, why, now);
    releaseRunning(*job);
    failAttempt(*job, why, now, retry);
  }
}

void BrokerCore::sendHeartbeats(TimeMs now) {
  if (now - last_heartbeat_sent_ < config_.heartbeat_ms) {
    return;
  }
  last_heartbeat_sent_ = now;
  for (const auto& [id, session] : sessions_) {
    wire::Envelope env;
    env.mutable_heartbeat();
    sendToWorker(session, std::move(env));
  }
}

void BrokerCore::tick(TimeMs now) {
  expireWorkers(now);
  expireLeases(now);
  promoteDueJobs(now);
  sendHeartbeats(now);
  dispatch(now);
}

}  // namespace gantry::broker
