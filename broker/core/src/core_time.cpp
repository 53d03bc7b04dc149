// What time does: silent workers are declared dead, leases expire, delayed
// jobs fall due, heartbeats go out. All of it on the monotonic clock.
#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

void BrokerCore::tick(Now now) {
  expireWorkers(now);
  expireLeases(now);
  expireSuperseded(now);
  promoteDueJobs(now);
  advanceResources(now);
  sendHeartbeats(now);
  dispatch(now);
}

void BrokerCore::expireWorkers(Now now) {
  std::vector<uint64_t> silent;
  sessions_.forEach([&](const WorkerSession& session) {
    if (now.mono_ms - session.last_seen_mono_ms > config_.livenessMs()) {
      silent.push_back(session.id);
    }
  });
  for (uint64_t id : silent) {
    ++counters_.workers_lost;
    dropSession(id, "no heartbeat for " + std::to_string(config_.livenessMs()) + " ms", now);
  }
}

void BrokerCore::expireLeases(Now now) {
  for (LiveJob* job : leases_.takeExpired(now.mono_ms)) {
    std::string why;
    Retry retry = Retry::kNow;
    WorkerSession* worker = sessions_.byId(job->lease->worker_session);
    if (job->lease->worker_session == 0) {
      why = "worker did not re-announce the job after a broker restart";
    } else {
      retry = Retry::kAfterBackoff;
      why = "timed out: no report " + std::to_string(job->timeout_ms + config_.lease_grace_ms) +
            " ms after the start (timeout plus lease grace)";
    }
    if (worker != nullptr) {
      // The worker may still be running it: tell it to stop, and count its
      // slot as busy until it reports, or for one more grace period if the
      // attempt never reached it.
      sendCancel(*worker, job->id, job->lease->token);
      worker->superseded.emplace(std::make_pair(job->id, job->lease->token),
                                 now.mono_ms + config_.lease_grace_ms);
    }
    endAttempt(*job, wire::OUTCOME_RETRYABLE, why, now);
    failAttempt(*job, why, now, retry);
  }
}

// Superseded attempts that count only for a while (see expireLeases) stop
// counting; tick() dispatches into the slots they free.
void BrokerCore::expireSuperseded(Now now) {
  sessions_.forEach([&](WorkerSession& session) {
    std::erase_if(session.superseded, [&](const auto& entry) {
      return entry.second != 0 && entry.second <= now.mono_ms;
    });
  });
}

void BrokerCore::promoteDueJobs(Now now) {
  for (LiveJob* job : delayed_.takeDue(now.mono_ms)) {
    unplace(*job);
    makeRunnable(*job);
  }
}

void BrokerCore::sendHeartbeats(Now now) {
  if (heartbeat_sent_ && now.mono_ms - last_heartbeat_sent_mono_ms_ < config_.heartbeat_ms) {
    return;
  }
  heartbeat_sent_ = true;
  last_heartbeat_sent_mono_ms_ = now.mono_ms;
  sessions_.forEach([&](const WorkerSession& session) {
    wire::Envelope env;
    env.mutable_heartbeat();
    sendToWorker(session, std::move(env));
  });
}

}  // namespace gantry::broker
