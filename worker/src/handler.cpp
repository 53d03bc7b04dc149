#include "gantry/worker/handler.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace gantry::worker {

HandlerResult HandlerResult::succeeded(std::string result) {
  HandlerResult out;
  out.outcome = wire::OUTCOME_SUCCEEDED;
  out.result = std::move(result);
  return out;
}

HandlerResult HandlerResult::partial(std::string result, std::vector<Degradation> degraded) {
  HandlerResult out = succeeded(std::move(result));
  out.degraded = std::move(degraded);
  return out;
}

HandlerResult HandlerResult::retryable(std::string error) {
  HandlerResult out;
  out.outcome = wire::OUTCOME_RETRYABLE;
  out.error = std::move(error);
  return out;
}

HandlerResult HandlerResult::retryAfter(std::string error, uint64_t delay_ms) {
  HandlerResult out = retryable(std::move(error));
  out.retry_after_ms = delay_ms;
  return out;
}

HandlerResult HandlerResult::resourceFailed(std::string resource, std::string error,
                                            uint64_t retry_after_ms) {
  HandlerResult out = retryAfter(std::move(error), retry_after_ms);
  out.resource = std::move(resource);
  return out;
}

HandlerResult HandlerResult::fatal(std::string error) {
  HandlerResult out;
  out.outcome = wire::OUTCOME_FATAL;
  out.error = std::move(error);
  return out;
}

HandlerResult HandlerResult::cancelled(std::string error) {
  HandlerResult out;
  out.outcome = wire::OUTCOME_CANCELLED;
  out.error = std::move(error);
  return out;
}

JobContext::JobContext(JobInfo info, std::shared_ptr<CancelToken> token, ProgressSink progress,
                       AttemptTrace trace, ResourceLimiter* limiter)
    : info_(std::move(info)),
      trace_(trace),
      token_(std::move(token)),
      progress_(std::move(progress)),
      limiter_(limiter) {
  assert(token_ != nullptr);
}

Status JobContext::acquire(std::string_view resource, uint32_t count) {
  if (limiter_ == nullptr) {
    return Status::ok();
  }
  return limiter_->acquire(info_, *token_, resource, count);
}

void JobContext::reportResource(std::string_view resource, wire::ResourceSignal signal,
                                uint64_t retry_after_ms) {
  if (limiter_ != nullptr) {
    limiter_->report(resource, signal, retry_after_ms);
  }
}

void JobContext::fanOut(wire::JobSpec child) {
  std::lock_guard lock(children_mutex_);
  children_.push_back(std::move(child));
}

std::vector<wire::JobSpec> JobContext::takeChildren() {
  std::lock_guard lock(children_mutex_);
  return std::exchange(children_, {});
}

trace::Span JobContext::startSpan(std::string_view name, trace::SpanKind kind) const {
  if (trace_.tracer == nullptr || !trace_.span.valid()) {
    return {};
  }
  return trace_.tracer->startSpan(name, kind, {.parent = trace_.span});
}

void JobContext::reportProgress(uint32_t percent, std::string_view message) {
  if (!progress_) {
    return;
  }
  progress_(std::min<uint32_t>(percent, 100), std::string(message));
}

}  // namespace gantry::worker
