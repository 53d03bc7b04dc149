// Handlers every worker carries, for smoke tests, benchmarks and chaos runs:
//   noop   succeeds with an empty result
//   sleep  payload = decimal milliseconds ("250"); waits on the cancel token,
//          so a cancel or timeout ends it at once; a bad payload is FATAL
//   echo   succeeds with the payload as the result
//   flaky  payload = decimal k; RETRYABLE "flaky: failing attempt N of k"
//          while attempt <= k, then succeeds
//   fatal  always FATAL
//   scripted  payload = a JSON script of SDK calls and an outcome
//          (permits, resource reports, fan-out, partial success,
//          retry-after): see src/scripted_handler.h
#pragma once

#include "gantry/common/status.h"
#include "gantry/worker/handler_registry.h"

namespace gantry::worker {

// Longest sleep the sleep handler accepts (a day, as JobLimits' timeout cap).
inline constexpr uint64_t kMaxSleepMs = 24ull * 3600 * 1000;

// Adds all of the above. Fails if one of the kinds is already registered.
Status addBuiltinHandlers(HandlerRegistry& registry);

}  // namespace gantry::worker
