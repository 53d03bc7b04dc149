// Runs one handler call on a handler thread and turns whatever happens into
// a well-formed HandlerResult: exceptions become RETRYABLE, invalid outcomes
// are corrected, oversized results are refused and text is made safe for the
// wire (proto3 strings must be valid UTF-8, and errors are bounded).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gantry/worker/handler.h"

namespace gantry::worker {

// Largest result a handler may return; bigger data belongs in object storage
// with a reference in the result.
inline constexpr size_t kMaxResultBytes = 1u << 20;
// Errors are for people; longer text is cut.
inline constexpr size_t kMaxErrorBytes = 4096;

// Never throws.
HandlerResult runHandler(Handler& handler, JobContext& ctx);

}  // namespace gantry::worker
