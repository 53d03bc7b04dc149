// Job lifecycle on the I/O thread: start on a handler thread, completion,
// progress, deadlines, drain and hand-back.
#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "attempt_trace.h"
#include "gantry/common/codec.h"
#include "gantry/common/job_spec.h"
#include "gantry/common/job_state.h"
#include "gantry/common/log.h"
#include "gantry/common/utf8.h"
#include "job_runner.h"
#include "worker_loop.h"

namespace gantry::worker {

Handler* WorkerLoop::handlerFor(const std::string& kind) const {
  if (!std::binary_search(kinds_.begin(), kinds_.end(), kind)) {
    return nullptr;  // registered but not announced: not ours to run
  }
  return registry_.find(kind);
}

void WorkerLoop::startJob(const wire::Assign& assign, Handler& handler, Now now) {
  const wire::Job& job = assign.job();
  const wire::JobSpec& spec = job.spec();
  auto token = std::make_shared<CancelToken>();

  RunningJob entry;
  entry.job_id = job.id();
  entry.lease = assign.lease();
  entry.kind = spec.kind();
  AttemptSpans spans = attemptSpans(assign);
  if (spans.self.valid()) {
    entry.trace_id = spans.self.traceIdHex();
    entry.span_id = spans.self.spanIdHex();
  }
  entry.token = token;
  // The deadline runs from now, on this worker's monotonic clock: clocks of
  // different hosts need not agree.
  const uint32_t timeout_ms = spec.timeout_ms();
  entry.started_mono_ms = now.mono_ms;
  entry.deadline_mono_ms = timeout_ms == 0 ? 0 : now.mono_ms + timeout_ms;
  const RunningJob& running = jobs_.add(std::move(entry));
  counters_.jobs_started.fetch_add(1);
  log::debug("job started", {{"worker_id", worker_id_},
                             {"job_id", running.job_id},
                             {"kind", running.kind},
                             {"attempt", job.attempt()},
                             {"trace_id", running.trace_id},
                             {"span_id", running.span_id}});

  JobInfo info;
  info.job_id = job.id();
  info.lease = assign.lease();
  info.queue = spec.queue().empty() ? kDefaultQueue : spec.queue();
  info.kind = spec.kind();
  info.attempt = job.attempt();
  info.payload = spec.payload();
  info.deadline_ms = timeout_ms == 0 ? 0 : now.wall_ms + timeout_ms;
  info.traceparent = spec.traceparent();

  pool_->post([this, &handler, info = std::move(info), token = std::move(token), spans]() mutable {
    const uint64_t job_id = info.job_id;
    const uint64_t lease = info.lease;
    trace::Span process = startProcessSpan(tracer_, spans, info);
    JobContext ctx(
        std::move(info), token,
        [this, job_id, lease](uint32_t percent, std::string m) {
          events_.push(ProgressUpdate{job_id, lease, percent, std::move(m)});
        },
        AttemptTrace{spans.self, tracer_}, &permits_);
    HandlerResult result = runHandler(handler, ctx);
    std::vector<wire::JobSpec> children;
    if (result.outcome == wire::OUTCOME_SUCCEEDED) {
      children = ctx.takeChildren();
      if (std::string problem = fanOutProblem(children); !problem.empty()) {
        result = HandlerResult::fatal(std::move(problem));
        children.clear();
      }
    }
    endProcessSpan(process, result);
    events_.push(Completion{job_id, lease, std::move(result), std::move(children)});
  });
}

void WorkerLoop::drainHandlerEvents() {
  auto batch = events_.drain();
  // Only the latest progress of each attempt in a batch is worth sending.
  std::map<JobTable::Key, size_t> latest_progress;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (const auto* progress = std::get_if<ProgressUpdate>(&batch[i])) {
      latest_progress[{progress->job_id, progress->lease}] = i;
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (auto* completion = std::get_if<Completion>(&batch[i])) {
      onCompletion(std::move(*completion));
    } else if (const auto* progress = std::get_if<ProgressUpdate>(&batch[i])) {
      if (latest_progress[{progress->job_id, progress->lease}] == i) {
        onProgress(*progress);
      }
    } else if (auto* ask = std::get_if<PermitAsk>(&batch[i])) {
      permits_.onEvent(std::move(*ask));
    } else if (auto* abandon = std::get_if<PermitAbandon>(&batch[i])) {
      permits_.onEvent(*abandon);
    } else {
      permits_.onEvent(std::move(std::get<ResourceNote>(batch[i])));
    }
  }
}

void WorkerLoop::onCompletion(Completion&& completion) {
  RunningJob* job = jobs_.find(completion.job_id, completion.lease);
  if (job == nullptr) {
    return;  // unreachable: an entry lives until its completion
  }
  const uint64_t job_id = job->job_id;
  const uint64_t lease = job->lease;
  if (job->reported) {
    // Timed out or handed back earlier; its thread is free again.
    log::info("handler returned after its result was reported",
              {{"worker_id", worker_id_}, {"job_id", job_id}});
    jobs_.remove(job_id, lease);
    updateCredit();
    return;
  }
  HandlerResult result = std::move(completion.result);
  if (job->token->reason() == CancelReason::kCancelled &&
      result.outcome != wire::OUTCOME_SUCCEEDED) {
    // Whatever the handler made of it, the operator's cancel is the cause.
    result.outcome = wire::OUTCOME_CANCELLED;
    if (result.error.empty()) {
      result.error = "cancelled";
    }
  }
  const TimeMs ran_ms = clock_.monoMs() - job->started_mono_ms;
  durations_->observe(job->kind, outcomeName(result.outcome), ran_ms);
  log::info("job finished", {{"worker_id", worker_id_},
                             {"job_id", job_id},
                             {"kind", job->kind},
                             {"outcome", std::string(outcomeName(result.outcome))},
                             {"duration_ms", ran_ms},
                             {"trace_id", job->trace_id},
                             {"span_id", job->span_id}});
  jobs_.remove(job_id, lease);
  wire::JobResult message;
  message.set_job_id(job_id);
  message.set_lease(lease);
  message.set_outcome(result.outcome);
  message.set_result(std::move(result.result));
  message.set_error(std::move(result.error));
  message.set_retry_after_ms(result.retry_after_ms);
  message.set_resource(std::move(result.resource));
  if (result.outcome == wire::OUTCOME_SUCCEEDED) {
    for (Degradation& degraded : result.degraded) {
      auto* entry = message.add_degraded();
      entry->set_what(std::move(degraded.what));
      entry->set_reason(std::move(degraded.reason));
    }
    for (wire::JobSpec& child : completion.children) {
      *message.add_children() = std::move(child);
    }
  }
  queueResult(std::move(message));
}

void WorkerLoop::onProgress(const ProgressUpdate& progress) {
  const RunningJob* job = jobs_.find(progress.job_id, progress.lease);
  if (job == nullptr || job->reported || !connection_.isOpen()) {
    return;  // advisory: dropped rather than queued
  }
  wire::Envelope envelope;
  auto* body = envelope.mutable_progress();
  body->set_job_id(progress.job_id);
  body->set_lease(progress.lease);
  body->set_percent(progress.percent);
  body->set_message(sanitizeText(progress.message, kMaxProgressMessageBytes));
  (void)connection_.send(envelope);
}

void WorkerLoop::expireDeadlines(Now now) {
  const auto expired = jobs_.expired(now.mono_ms);
  if (expired.empty()) {
    return;
  }
  for (RunningJob* job : expired) {
    job->token->cancel(CancelReason::kTimeout);
    job->reported = true;
  }
  // Lower the credit before the results free the broker's view of the slots,
  // so it never sees room the threads do not have.
  updateCredit();
  for (RunningJob* job : expired) {
    const int64_t ran_ms = std::max<int64_t>(0, now.mono_ms - job->started_mono_ms);
    counters_.jobs_timed_out.fetch_add(1);
    durations_->observe(job->kind, "timed_out", ran_ms);
    log::warn("job timed out", {{"worker_id", worker_id_},
                                {"job_id", job->job_id},
                                {"kind", job->kind},
                                {"ran_ms", ran_ms},
                                {"trace_id", job->trace_id},
                                {"span_id", job->span_id}});
    queueResult(job->job_id, job->lease, wire::OUTCOME_RETRYABLE, {},
                "timed out after " + std::to_string(ran_ms) + " ms");
  }
}

void WorkerLoop::beginDrain(Now now) {
  draining_ = true;
  drain_started_mono_ms_ = now.mono_ms;
  log::info("stopping: taking no more work", {{"worker_id", worker_id_},
                                              {"running", jobs_.unreported().size()},
                                              {"grace_ms", config_.shutdown_grace_ms}});
  updateCredit();
}

void WorkerLoop::handBackRemaining() {
  const auto remaining = jobs_.unreported();
  for (RunningJob* job : remaining) {
    job->token->cancel(CancelReason::kShutdown);
    job->reported = true;
  }
  for (RunningJob* job : remaining) {
    handBack(job->job_id, job->lease,
             "worker " + worker_id_ + " shut down; grace period of " +
                 std::to_string(config_.shutdown_grace_ms) + " ms ran out");
  }
}

void WorkerLoop::handBack(uint64_t job_id, uint64_t lease, std::string reason) {
  counters_.jobs_handed_back.fetch_add(1);
  log::info("job handed back", {{"worker_id", worker_id_}, {"job_id", job_id}, {"reason", reason}});
  queueResult(job_id, lease, wire::OUTCOME_HANDED_BACK, {}, std::move(reason));
}

void WorkerLoop::queueResult(uint64_t job_id, uint64_t lease, wire::Outcome outcome,
                             std::string result, std::string error) {
  wire::JobResult message;
  message.set_job_id(job_id);
  message.set_lease(lease);
  message.set_outcome(outcome);
  message.set_result(std::move(result));
  message.set_error(std::move(error));
  queueResult(std::move(message));
}

void WorkerLoop::queueResult(wire::JobResult message) {
  outbox_.add(std::move(message));
  flushOutbox();
}

}  // namespace gantry::worker
