// What happens when an attempt ends: success, retry with backoff, dead
// letter, cancellation or hand-back, and the writes that record it.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"
#include "gantry/broker/core/row_wire.h"
#include "gantry/common/backoff.h"

namespace gantry::broker {

void BrokerCore::onResult(Sender from, const wire::JobResult& result, Now now) {
  WorkerSession* worker = sessionFor(from, now);
  if (worker == nullptr) {
    return;
  }
  LiveJob* job = jobs_.find(result.job_id());
  if (job == nullptr || job->slot != Slot::kRunning || job->lease->token != result.lease()) {
    // A superseded attempt (lease expired, job re-run elsewhere or
    // finished). If this worker was still running it, its slot is free now.
    ++counters_.stale_results;
    if (worker->superseded.erase({result.job_id(), result.lease()}) > 0) {
      dispatch(now);
    }
    return;
  }
  if (!wire::Outcome_IsValid(result.outcome()) || result.outcome() == wire::OUTCOME_UNSPECIFIED) {
    wire::JobResult corrected;
    corrected.set_outcome(wire::OUTCOME_RETRYABLE);
    corrected.set_error("worker reported no valid outcome");
    finishAttempt(*job, corrected, now);
  } else {
    finishAttempt(*job, result, now);
  }
  dispatch(now);
}

void BrokerCore::endAttempt(LiveJob& job, wire::Outcome outcome, const std::string& error,
                            Now now) {
  AttemptRow row;
  row.job_id = job.id;
  row.lease = job.lease->token;
  row.attempt = job.attempt;
  row.worker_id = job.workerId();
  row.started_at_ms = job.started_at_ms;
  row.finished_at_ms = now.wall_ms;
  row.outcome = outcome;
  row.error = error;
  effects_.writes.addAttempt(std::move(row));
  // The attempt started at its deadline less its timeout, on the monotonic line.
  const TimeMs started_mono = job.lease->deadline_mono_ms - job.timeout_ms;
  observer_->attemptEnded(job.queue, job.kind, outcome,
                          std::max<TimeMs>(0, now.mono_ms - started_mono));
  stopRunning(job);
}

void BrokerCore::finishAttempt(LiveJob& job, const wire::JobResult& result, Now now) {
  const std::string& error = result.error();
  switch (result.outcome()) {
    case wire::OUTCOME_SUCCEEDED:
      succeed(job, result, now);
      return;
    case wire::OUTCOME_CANCELLED:
      endAttempt(job, wire::OUTCOME_CANCELLED, error, now);
      finalize(job, wire::CANCELLED, "", error.empty() ? "cancelled" : error, now);
      return;
    case wire::OUTCOME_FATAL:
      endAttempt(job, wire::OUTCOME_FATAL, error, now);
      ++counters_.failed_attempts;
      if (job.cancel_requested) {
        finalize(job, wire::CANCELLED, "", "cancelled: " + error, now);
      } else {
        finalize(job, wire::DEAD, "", error, now);
      }
      return;
    case wire::OUTCOME_HANDED_BACK:
      endAttempt(job, wire::OUTCOME_HANDED_BACK, error, now);
      handBack(job, error, now);
      return;
    default:
      break;
  }
  endAttempt(job, wire::OUTCOME_RETRYABLE, error, now);
  if (!result.resource().empty() && !job.cancel_requested) {
    // The report that came before this result may just have opened it.
    const std::optional<uint32_t> resource = resources_.find(result.resource());
    if (resource && resources_.at(*resource).circuit != CircuitState::kClosed) {
      waitForResource(job, error, now);
      return;
    }
  }
  failAttempt(job, error, now, Retry::kAfterBackoff, result.retry_after_ms());
}

void BrokerCore::succeed(LiveJob& job, const wire::JobResult& result, Now now) {
  if (result.children_size() > 0) {
    // Fan-out: the children and the success go in one write batch, and a
    // batch commits as one transaction, so both are durable or neither.
    Result<SubmitPlan> plan = planSubmit(result.children());
    if (!plan.isOk()) {
      const std::string why = "fan-out refused: " + plan.status().message();
      if (plan.status().code() == StatusCode::kResourceExhausted) {
        endAttempt(job, wire::OUTCOME_RETRYABLE, why, now);
        failAttempt(job, why, now);
      } else {
        endAttempt(job, wire::OUTCOME_FATAL, why, now);
        ++counters_.failed_attempts;
        finalize(job, wire::DEAD, "", why, now);
      }
      return;
    }
    createJobs(result.children(), plan.value(), now);
  }
  endAttempt(job, wire::OUTCOME_SUCCEEDED, "", now);
  std::string degraded;
  if (result.degraded_size() > 0) {
    degraded = degradedToJson(result.degraded());
    ++counters_.partial;
    observer_->jobPartial(job.queue, job.kind);
  }
  finalize(job, wire::SUCCEEDED, result.result(), "", now, degraded);
}

// Not the job's fault, so like a hand-back the attempt is given back; the
// circuit gate keeps the job in its queue until the circuit half-opens.
void BrokerCore::waitForResource(LiveJob& job, const std::string& error, Now now) {
  --job.attempt;
  job.state = wire::QUEUED;
  job.updated_at_ms = now.wall_ms;
  job.mutableExtras().last_error = "waiting for its resource's circuit to close: " + error;
  persistTransition(job);
  makeRunnable(job);
}

void BrokerCore::failAttempt(LiveJob& job, const std::string& error, Now now, Retry retry,
                             uint64_t retry_after_ms) {
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
  TimeMs delay = 0;
  if (retry_after_ms > 0) {
    delay = static_cast<TimeMs>(std::min<uint64_t>(retry_after_ms, kMaxRetryAfterMs));
  } else if (retry == Retry::kAfterBackoff) {
    delay = static_cast<TimeMs>(backoffDelayMs(policy.backoff, job.attempt, rng_));
  }
  job.state = wire::FAILED;
  job.updated_at_ms = now.wall_ms;
  job.mutableExtras().last_error = error;
  job.run_at_ms = now.wall_ms + delay;
  job.rank = now.mono_ms + delay - job.priority * config_.aging_ms;
  ++counters_.retried;
  observer_->jobRetried(job.queue, job.kind);
  persistTransition(job);
  enqueue(job, now.monoWhenWallShows(job.run_at_ms), now);
}

// The worker gave the job back without running it to an end (it is shutting
// down, or the assignment never reached it). Not the job's fault, so the
// attempt is not counted, and the job goes back to its place in line. The
// hand-back guard (broker_core.h) keeps a job from bouncing between broker
// and worker: a repeat within the window is held back, and past
// kFreeHandBacks in a row each one counts as a failed attempt.
void BrokerCore::handBack(LiveJob& job, const std::string& why, Now now) {
  ++counters_.handed_back;
  if (job.cancel_requested) {
    finalize(job, wire::CANCELLED, "", "cancelled", now);
    return;
  }
  JobExtras& extras = job.mutableExtras();
  const bool repeat = extras.handbacks_in_a_row > 0 &&
                      now.mono_ms - extras.last_handback_mono_ms <= kHandBackWindowMs;
  extras.handbacks_in_a_row = repeat ? extras.handbacks_in_a_row + 1 : 1;
  extras.last_handback_mono_ms = now.mono_ms;
  const uint32_t in_a_row = extras.handbacks_in_a_row;
  if (in_a_row > kFreeHandBacks) {
    failAttempt(job, "handed back " + std::to_string(in_a_row) + " times in a row: " + why, now);
    return;
  }
  --job.attempt;
  job.state = wire::QUEUED;
  job.updated_at_ms = now.wall_ms;
  if (in_a_row == 1) {
    // Keeps its rank and its run_at (in the past), so the rank rebuilt from
    // the stored row after a restart is the same place in line.
    persistTransition(job);
    makeRunnable(job);
    return;
  }
  const TimeMs delay =
      std::min(kHandBackFirstDelayMs << std::min<uint32_t>(in_a_row - 2, 20), kHandBackMaxDelayMs);
  extras.last_error = "handed back " + std::to_string(in_a_row) + " times in a row, held back " +
                      std::to_string(delay) + " ms: " + why;
  job.run_at_ms = now.wall_ms + delay;
  persistTransition(job);
  enqueue(job, now.monoWhenWallShows(job.run_at_ms), now);
}

void BrokerCore::finalize(LiveJob& job, wire::JobState state, const std::string& result,
                          const std::string& error, Now now, const std::string& degraded) {
  job.state = state;
  job.updated_at_ms = now.wall_ms;
  if (!error.empty()) {
    job.mutableExtras().last_error = error;
  }
  persistTransition(job, now.wall_ms, result, degraded);
  switch (state) {
    case wire::SUCCEEDED:
      ++counters_.succeeded;
      break;
    case wire::DEAD:
      ++counters_.dead;
      break;
    case wire::CANCELLED:
      ++counters_.cancelled;
      break;
    default:
      break;
  }
  observer_->jobFinished(job.queue, job.kind, state);
  forget(job);  // `job` dangles from here on
}

void BrokerCore::cancelQueued(LiveJob& job, Now now) {
  const std::string key = job.concurrency_key;
  unplace(job);
  finalize(job, wire::CANCELLED, "", "cancelled by request", now);
  if (!key.empty()) {
    placeReleased(keys_.release(key));
  }
}

}  // namespace gantry::broker
