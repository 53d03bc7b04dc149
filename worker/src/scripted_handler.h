// The `scripted` built-in kind: its payload, a JSON object, says what the
// attempt does with the handler SDK, so tests, benchmarks and demos exercise
// permits, resource reports, fan-out and every outcome without code of
// their own. Every field is optional:
//
//   {"acquire": {"resource": "api", "count": 1, "times": 1},
//    "report": {"resource": "api", "signal": "ok|failure|pushback",
//               "retry_after_ms": 0},
//    "fan_out": [{"kind": "noop", "queue": "q", "payload": "text",
//                 "unique_key": "k", "concurrency_key": "c"}],
//    "fail_attempts": 0,
//    "outcome": "succeeded|partial|retryable|fatal",
//    "error": "text", "retry_after_ms": 0, "resource": "api",
//    "degraded": [{"what": "...", "reason": "..."}],
//    "result": "text"}
//
// In that order: acquire `times` x `count` permits, send the report, fan
// out, then return `outcome` while the attempt is at most `fail_attempts`
// (or always, when fail_attempts is 0), else succeed. A permit that is
// refused ends the attempt as resourceFailed (unavailable) or fatal (a
// configuration error). A payload that is not such an object is FATAL.
#pragma once

#include <memory>

#include "gantry/worker/handler.h"

namespace gantry::worker {

std::unique_ptr<Handler> makeScriptedHandler();

}  // namespace gantry::worker
