#include "job_runner.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <utility>

#include "gantry/common/utf8.h"

namespace gantry::worker {
namespace {

HandlerResult normalise(HandlerResult result) {
  switch (result.outcome) {
    case wire::OUTCOME_SUCCEEDED:
    case wire::OUTCOME_RETRYABLE:
    case wire::OUTCOME_FATAL:
    case wire::OUTCOME_CANCELLED:
      break;
    default:
      // HANDED_BACK is the worker's to give (it does not count an attempt);
      // a handler using it could retry forever.
      return HandlerResult::retryable("handler returned invalid outcome " +
                                      std::to_string(static_cast<int>(result.outcome)));
  }
  if (result.result.size() > kMaxResultBytes) {
    // The same input would produce the same oversized result again.
    return HandlerResult::fatal("handler result of " + std::to_string(result.result.size()) +
                                " bytes exceeds the limit of " + std::to_string(kMaxResultBytes));
  }
  result.error = sanitizeText(result.error, kMaxErrorBytes);
  result.resource = sanitizeText(result.resource, kMaxDegradationBytes);
  if (result.degraded.size() > kMaxDegradations) {
    const size_t more = result.degraded.size() - (kMaxDegradations - 1);
    result.degraded.resize(kMaxDegradations - 1);
    result.degraded.push_back({"(" + std::to_string(more) + " more)", "not listed"});
  }
  for (Degradation& degraded : result.degraded) {
    degraded.what = sanitizeText(degraded.what, kMaxDegradationBytes);
    degraded.reason = sanitizeText(degraded.reason, kMaxDegradationBytes);
  }
  return result;
}

}  // namespace

HandlerResult runHandler(Handler& handler, JobContext& ctx) {
  try {
    return normalise(handler.run(ctx));
  } catch (const std::exception& e) {
    return HandlerResult::retryable(
        sanitizeText(std::string("handler threw: ") + e.what(), kMaxErrorBytes));
  } catch (...) {
    return HandlerResult::retryable("handler threw a non-standard exception");
  }
}

std::string fanOutProblem(const std::vector<wire::JobSpec>& children) {
  size_t bytes = 0;
  for (const wire::JobSpec& child : children) {
    bytes += child.ByteSizeLong();
  }
  if (bytes > kMaxFanOutBytes) {
    return "fan-out of " + std::to_string(children.size()) + " jobs takes " +
           std::to_string(bytes) + " bytes, more than the limit of " +
           std::to_string(kMaxFanOutBytes) + "; submit them in batches from a job of their own";
  }
  return {};
}

}  // namespace gantry::worker
