// Worker sessions: announce, credit, progress, liveness, and what happens
// to a session's jobs when it ends or is replaced.
#include <algorithm>
#include <unordered_map>

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

void BrokerCore::sendCancel(const WorkerSession& worker, uint64_t job_id, uint64_t lease) {
  wire::Envelope env;
  env.mutable_cancel_job()->set_job_id(job_id);
  env.mutable_cancel_job()->set_lease(lease);
  sendToWorker(worker, std::move(env));
}

WorkerSession* BrokerCore::sessionFor(Sender from, Now now) {
  WorkerSession* session = sessions_.byRouting(from.routing_id);
  if (session == nullptr) {
    // Not announced (or declared dead): ask it to announce itself again,
    // naming the message that found no session, so the worker answers once
    // per session lost rather than once per message queued (protocol.md).
    wire::Envelope env;
    env.set_correlation_id(from.sequence);
    env.mutable_reannounce();
    effects_.to_workers.push_back({std::string(from.routing_id), std::move(env)});
    ++counters_.reannounces_asked;
    return nullptr;
  }
  session->last_seen_mono_ms = now.mono_ms;
  return session;
}

void BrokerCore::onHello(Sender from, const wire::WorkerHello& hello, Now now) {
  for (uint64_t id : sessions_.replacedBy(from.routing_id, hello.worker_id())) {
    replaceSession(*sessions_.byId(id), hello, now);
  }
  WorkerSession& session = sessions_.open(from.routing_id);
  session.worker_id =
      hello.worker_id().empty() ? "worker-" + std::to_string(session.id) : hello.worker_id();
  session.host = hello.host();
  session.pid = hello.pid();
  session.instance = hello.instance();
  for (const auto& kind : hello.kinds()) {
    session.kinds.push_back(names_.intern(kind));
  }
  std::sort(session.kinds.begin(), session.kinds.end());
  session.slots = std::min(hello.slots(), kMaxSlotsPerWorker);
  session.connected_at_ms = now.wall_ms;
  session.last_seen_mono_ms = now.mono_ms;
  adoptHeldLeases(session, hello, now);
  declareResources(hello);
  dispatch(now);
}

// A hello replaces an earlier session of the same connection or worker.
// Leases the hello lists move to the new session (adoptHeldLeases). Every
// other job of the old session ends its attempt here:
//  - the same worker process (same instance) re-announcing never received
//    it (an assignment lost with a closed connection), and a process that
//    is running something lists it: handed back, not counted;
//  - a new process under the same worker id (the old one died) may have
//    crashed on it: a lost worker, counted, so a job that kills its worker
//    cannot loop forever.
void BrokerCore::replaceSession(WorkerSession& old, const wire::WorkerHello& hello, Now now) {
  std::unordered_map<uint64_t, uint64_t> held;
  for (const auto& lease : hello.held()) {
    held.emplace(lease.job_id(), lease.lease());
  }
  const bool same_process = old.instance != 0 && old.instance == hello.instance();
  const std::vector<uint64_t> job_ids(old.jobs.begin(), old.jobs.end());
  for (uint64_t job_id : job_ids) {
    LiveJob* job = jobs_.find(job_id);
    if (job == nullptr || !job->lease || job->lease->worker_session != old.id) {
      continue;
    }
    auto h = held.find(job_id);
    if (h != held.end() && h->second == job->lease->token) {
      job->lease->worker_session = 0;  // orphan until adopted by the new session
      old.jobs.erase(job_id);
      continue;
    }
    if (same_process) {
      const std::string why =
          "assignment did not reach worker " + old.worker_id + ": its connection was replaced";
      endAttempt(*job, wire::OUTCOME_HANDED_BACK, why, now);
      handBack(*job, why, now);
    } else {
      const std::string why = "worker lost: worker " + old.worker_id +
                              " restarted (its new process did not hold the job)";
      endAttempt(*job, wire::OUTCOME_RETRYABLE, why, now);
      failAttempt(*job, why, now, Retry::kNow);
    }
  }
  resources_.dropSession(old.id);  // the hello's worker asks again for what it waits on
  sessions_.close(old.id);
}

void BrokerCore::adoptHeldLeases(WorkerSession& worker, const wire::WorkerHello& hello, Now now) {
  for (const auto& held : hello.held()) {
    LiveJob* job = jobs_.find(held.job_id());
    if (job != nullptr && job->slot == Slot::kRunning && job->lease->token == held.lease() &&
        job->lease->worker_session == 0) {
      job->lease->worker_session = worker.id;
      job->mutableExtras().worker_id = worker.worker_id;
      job->lease->expires_mono_ms = job->lease->deadline_mono_ms + config_.lease_grace_ms;
      leases_.watch(*job);
      worker.jobs.insert(job->id);
      if (job->cancel_requested) {  // cancelled while waiting for its worker
        sendCancel(worker, job->id, held.lease());
      }
      continue;
    }
    // The worker runs (or has a result for) an attempt the broker no longer
    // stands behind. Its thread stays busy until the worker reports it, so
    // it counts against the worker's slots until then.
    sendCancel(worker, held.job_id(), held.lease());
    worker.superseded.emplace(std::make_pair(held.job_id(), held.lease()), 0);
  }
}

void BrokerCore::dropSession(uint64_t session_id, const std::string& why, Now now) {
  WorkerSession* session = sessions_.byId(session_id);
  if (session == nullptr) {
    return;
  }
  const std::vector<uint64_t> job_ids(session->jobs.begin(), session->jobs.end());
  for (uint64_t job_id : job_ids) {
    LiveJob* job = jobs_.find(job_id);
    if (job == nullptr || !job->lease || job->lease->worker_session != session_id) {
      continue;
    }
    endAttempt(*job, wire::OUTCOME_RETRYABLE, "worker lost: " + why, now);
    failAttempt(*job, "worker lost: " + why, now, Retry::kNow);
  }
  resources_.dropSession(session_id);
  sessions_.close(session_id);
}

void BrokerCore::onCredit(Sender from, const wire::WorkerCredit& credit, Now now) {
  if (WorkerSession* worker = sessionFor(from, now)) {
    worker->slots = std::min(credit.slots(), kMaxSlotsPerWorker);
    dispatch(now);
  }
}

void BrokerCore::onProgress(Sender from, const wire::Progress& progress, Now now) {
  const WorkerSession* worker = sessionFor(from, now);
  if (worker == nullptr) {
    return;
  }
  // Only the current attempt's own worker may report on it.
  LiveJob* job = jobs_.find(progress.job_id());
  if (job == nullptr || job->slot != Slot::kRunning || job->lease->token != progress.lease() ||
      job->lease->worker_session != worker->id) {
    return;  // late, from an attempt that ended: nothing to show
  }
  wire::Progress& kept = job->lease->progress.emplace(progress);
  kept.set_percent(std::min<uint32_t>(kept.percent(), 100));
  if (kept.message().size() > kMaxProgressMessageBytes) {
    kept.set_message(sanitizeText(kept.message(), kMaxProgressMessageBytes));
  }
}

void BrokerCore::onHeartbeat(Sender from, Now now) { (void)sessionFor(from, now); }

std::optional<std::string> BrokerCore::onDisconnected(const std::string& routing_id, Now now) {
  const WorkerSession* session = sessions_.byRouting(routing_id);
  if (session == nullptr) {
    return std::nullopt;
  }
  std::string worker_id = session->worker_id;
  ++counters_.workers_lost;
  dropSession(session->id, "its connection closed", now);
  dispatch(now);
  return worker_id;
}

}  // namespace gantry::broker
