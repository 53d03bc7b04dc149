// Plain values exchanged with the job store: what recovery loads, what
// queries return. No database types here, so the scheduling core can use
// them without depending on libpqxx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gantry/broker/write_batch.h"
#include "gantry/common/status.h"

namespace gantry::broker {

// Everything a starting broker needs to rebuild its in-memory index.
struct RecoveredState {
  std::vector<JobRow> active;  // every job not in a final state
  std::vector<std::string> paused_queues;
  uint64_t max_job_id = 0;     // over active and finished jobs
};

struct JobWithAttempts {
  JobRow job;
  std::vector<AttemptRow> attempts;  // ascending by start time
};

struct ListFilter {
  std::string queue;  // empty = any
  std::string kind;   // empty = any
  std::optional<wire::JobState> state;
  uint32_t limit = 50;  // 0 = the default; capped at kMaxLimit
  uint64_t after_id = 0;

  static constexpr uint32_t kDefaultLimit = 50;
  static constexpr uint32_t kMaxLimit = 1000;
  uint32_t effectiveLimit() const {
    return limit == 0 ? kDefaultLimit : (limit < kMaxLimit ? limit : kMaxLimit);
  }
};

// Outcome of reviving one dead job.
struct ReviveResult {
  uint64_t id = 0;
  Status status;               // not found / not dead
  std::optional<JobRow> row;   // the job, now queued, when status is ok
};

}  // namespace gantry::broker
