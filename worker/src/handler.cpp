#include "gantry/worker/handler.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace gantry::worker {

HandlerResult HandlerResult::succeeded(std::string result) {
  return {wire::OUTCOME_SUCCEEDED, std::move(result), {}};
}

HandlerResult HandlerResult::retryable(std::string error) {
  return {wire::OUTCOME_RETRYABLE, {}, std::move(error)};
}

HandlerResult HandlerResult::fatal(std::string error) {
  return {wire::OUTCOME_FATAL, {}, std::move(error)};
}

HandlerResult HandlerResult::cancelled(std::string error) {
  return {wire::OUTCOME_CANCELLED, {}, std::move(error)};
}

JobContext::JobContext(JobInfo info, std::shared_ptr<CancelToken> token, ProgressSink progress,
                       AttemptTrace trace)
    : info_(std::move(info)),
      trace_(trace),
      token_(std::move(token)),
      progress_(std::move(progress)) {
  assert(token_ != nullptr);
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
