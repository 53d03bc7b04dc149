// What happens when an attempt ends: success, retry with backoff, dead
// letter, cancellation or hand-back, and the writes that record it.
#include "gantry/broker/core/broker_core.h"

#include "gantry/common/backoff.h"

namespace gantry::broker {

void BrokerCore::onResult(const std::string& routing_id, const wire::JobResult& result,
                          TimeMs now) {
  WorkerSession* worker = sessionFor(routing_id, now);
  if (worker == nullptr) {
    return;
  }
  LiveJob* job = findJob(result.job_id());
  if (job == nullptr || job->slot != Slot::kRunning || !job->lease ||
      job->lease->token != result.lease()) {
    // A superseded attempt (lease expired, job re-run elsewhere or finished).
    ++counters_.stale_results;
    return;
  }
  wire::Outcome outcome = result.outcome();
  std::string error = result.error();
  if (!wire::Outcome_IsValid(outcome) || outcome == wire::OUTCOME_UNSPECIFIED) {
    outcome = wire::OUTCOME_RETRYABLE;
    error = "worker reported no valid outcome";
  }
  finishAttempt(*job, outcome, error, result.result(), now);
  dispatch(now);
}

void BrokerCore::finishAttempt(LiveJob& job, wire::Outcome outcome, const std::string& error,
                               const std::string& result, TimeMs now) {
  recordAttempt(job, outcome, error, now);
  releaseRunning(job);
  switch (outcome) {
    case wire::OUTCOME_SUCCEEDED:
      finalize(job, wire::SUCCEEDED, result, "", now);
      return;
    case wire::OUTCOME_CANCELLED:
      finalize(job, wire::CANCELLED, "", error.empty() ? "cancelled" : error, now);
      return;
    case wire::OUTCOME_FATAL:
      ++counters_.failed_attempts;
      if (job.cancel_requested) {
        finalize(job, wire::CANCELLED, "", "cancelled: " + error, now);
      } else {
        finalize(job, wire::DEAD, "", error, now);
      }
      return;
    case wire::OUTCOME_HANDED_BACK:
      // The worker shut down before finishing; not the job's fault.
      --job.attempt;
      ++counters_.handed_back;
      if (job.cancel_requested) {
        finalize(job, wire::CANCELLED, "", "cancelled", now);
      } else {
        requeue(job, now);
      }
      return;
    default:
      failAttempt(job, error, now);
      return;
  }
}

void BrokerCore::failAttempt(LiveJob& job, const std::string& error, TimeMs now, Retry retry) {
  ++counters_.failed_attempts;
  if (job.cancel_requested) {
    finalize(job, wire::CANCELLED, "", "cancelled: " + error, now);
    return;
  }
  if (job.attempt >= job.max_attempts) {
    finalize(job, wire::DEAD, "",
             "attempts exhausted (" + std::to_string(job.attempt) + "): " + error, now);
    return;
  }
  const KindPolicy& policy = config_.policyFor(names_.name(job.kind));
  job.state = wire::FAILED;
  job.updated_at_ms = now;
  job.mutableExtras().last_error = error;
  job.run_at_ms = retry == Retry::kNow
                      ? now
                      : now + static_cast<TimeMs>(backoffDelayMs(policy.backoff, job.attempt, rng_));
  job.rank = job.run_at_ms - job.priority * config_.aging_ms;
  ++counters_.retried;
  persistTransition(job);
  makeRunnable(job, now);
}

void BrokerCore::requeue(LiveJob& job, TimeMs now) {
  // Keeps its rank: a handed-back job goes back to its place in line. Its
  // run_at stays too (it is in the past), so the rank rebuilt from the
  // stored row after a restart is the same place.
  job.state = wire::QUEUED;
  job.updated_at_ms = now;
  persistTransition(job);
  makeRunnable(job, now);
}

void BrokerCore::finalize(LiveJob& job, wire::JobState state, const std::string& result,
                          const std::string& error, TimeMs now) {
  job.state = state;
  job.updated_at_ms = now;
  if (!error.empty()) {
    job.mutableExtras().last_error = error;
  }
  persistTransition(job, now, result);
  switch (state) {
    case wire::SUCCEEDED: ++counters_.succeeded; break;
    case wire::DEAD: ++counters_.dead; break;
    case wire::CANCELLED: ++counters_.cancelled; break;
    default: break;
  }
  if (const std::string& unique = job.uniqueKey(); !unique.empty()) {
    auto it = unique_keys_.find(unique);
    if (it != unique_keys_.end() && it->second == job.id) {
      unique_keys_.erase(it);
    }
  }
  jobs_.erase(job.id);  // `job` dangles from here on
}

void BrokerCore::releaseRunning(LiveJob& job) {
  QueueState& qs = queueState(job.queue);
  --qs.running;
  --running_by_kind_[job.kind];
  if (job.lease && job.lease->worker_session != 0) {
    if (auto it = sessions_.find(job.lease->worker_session); it != sessions_.end()) {
      it->second.jobs.erase(job.id);
    }
  }
  job.lease.reset();
  job.slot = Slot::kNone;
  if (!job.concurrency_key.empty()) {
    --keys_[job.concurrency_key].running;
    promoteKeyWaiters(job.concurrency_key);
    releaseKeySlotIfIdle(job.concurrency_key);
  }
}

void BrokerCore::cancelQueued(LiveJob& job, TimeMs now) {
  const std::string key = job.concurrency_key;
  unplace(job);
  finalize(job, wire::CANCELLED, "", "cancelled by request", now);
  if (!key.empty()) {
    promoteKeyWaiters(key);
    releaseKeySlotIfIdle(key);
  }
}

void BrokerCore::recordAttempt(const LiveJob& job, wire::Outcome outcome,
                               const std::string& error, TimeMs now) {
  AttemptRow row;
  row.job_id = job.id;
  row.attempt = job.attempt;
  row.worker_id = job.workerId();
  row.started_at_ms = job.started_at_ms;
  row.finished_at_ms = now;
  row.outcome = outcome;
  row.error = error;
  effects_.writes.addAttempt(std::move(row));
}

void BrokerCore::persistTransition(const LiveJob& job, TimeMs finished_at,
                                   const std::string& result) {
  JobTransition t;
  t.id = job.id;
  t.state = job.state;
  t.attempt = job.attempt;
  t.run_at_ms = job.run_at_ms;
  t.updated_at_ms = job.updated_at_ms;
  t.started_at_ms = job.started_at_ms;
  t.finished_at_ms = finished_at;
  t.worker_id = job.workerId();
  t.lease = job.lease ? job.lease->token : 0;
  t.result = result;
  t.last_error = job.lastError();
  effects_.writes.addTransition(std::move(t));
}

}  // namespace gantry::broker
