// Runs one handler call on a handler thread and turns whatever happens into
// a well-formed HandlerResult: exceptions become RETRYABLE, invalid outcomes
// are corrected, oversized results are refused and text is made safe for the
// wire (proto3 strings must be valid UTF-8, and errors are bounded).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/worker/handler.h"

namespace gantry::worker {

// Largest result a handler may return; bigger data belongs in object storage
// with a reference in the result.
inline constexpr size_t kMaxResultBytes = 1u << 20;
// Errors are for people; longer text is cut.
inline constexpr size_t kMaxErrorBytes = 4096;

// A partial success lists at most this many degradations, each part cut to
// kMaxDegradationBytes; the rest are summed up in one last entry.
inline constexpr size_t kMaxDegradations = 100;
inline constexpr size_t kMaxDegradationBytes = 1024;
// A fan-out travels in the result's envelope, beside the result itself.
inline constexpr size_t kMaxFanOutBytes = size_t{32} << 20;

// Never throws.
HandlerResult runHandler(Handler& handler, JobContext& ctx);

// Why the fanned-out `children` cannot be sent, or "" (the broker checks
// each spec; this bounds what fits in one message).
std::string fanOutProblem(const std::vector<wire::JobSpec>& children);

}  // namespace gantry::worker
