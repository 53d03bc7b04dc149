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

}  // namespace gantry::worker
