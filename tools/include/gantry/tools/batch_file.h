// Batch submission input: JSON lines, one job object per line, validated in
// full before anything is sent so that a typo on line 9000 does not leave
// 8999 jobs submitted. Thread-compatible (pure functions over their input).
//
// Fields of a line (all optional except kind; null means absent):
//   kind, queue, priority, key | concurrency_key, unique | unique_key,
//   payload (string as-is; an object or array is stored as compact JSON),
//   payload_base64 (binary payloads), delay_ms | run_at_ms (unix ms),
//   max_attempts, timeout_ms, traceparent.
// Unknown fields are errors: a misspelt "priorty" must not silently become
// priority 0.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/common/job_spec.h"
#include "gantry/common/status.h"

namespace gantry::tools {

struct BatchOptions {
  JobLimits limits;
  // delay_ms is turned into run_at_ms = now + delay_ms.
  TimeMs now = 0;
  // Errors reported before giving up; enough to fix a systematic mistake in
  // one round, few enough to read.
  size_t max_errors = 20;
};

struct Batch {
  std::vector<wire::JobSpec> specs;
  // Parallel to specs: the 1-based line each came from.
  std::vector<int> lines;
};

// One line: the spec, or kInvalidArgument "<field>: <problem>".
Result<wire::JobSpec> parseBatchLine(std::string_view line, const BatchOptions& options);

// All lines of `in`; blank lines are skipped (but counted). On failure the
// status message is "<source>:<line>: <field>: <problem>", or for several
// bad lines a count followed by one such line each, up to
// options.max_errors. An input without jobs is an error too.
Result<Batch> parseBatch(std::istream& in, std::string_view source, const BatchOptions& options);

// Splits specs into consecutive [begin, end) ranges of at most max_jobs jobs
// and (unless a single job is larger) at most max_bytes of encoded specs, so
// that each range fits one submit request.
// REQUIRES: max_jobs > 0.
std::vector<std::pair<size_t, size_t>> planChunks(const std::vector<wire::JobSpec>& specs,
                                                  size_t max_jobs, size_t max_bytes);

}  // namespace gantry::tools
