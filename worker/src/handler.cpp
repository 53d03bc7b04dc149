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

JobContext::JobContext(JobInfo info, std::shared_ptr<CancelToken> token, ProgressSink progress)
    : info_(std::move(info)), token_(std::move(token)), progress_(std::move(progress)) {
  assert(token_ != nullptr);
}

void JobContext::reportProgress(uint32_t percent, std::string_view message) {
  if (!progress_) {
    return;
  }
  progress_(std::min<uint32_t>(percent, 100), std::string(message));
}

}  // namespace gantry::worker
