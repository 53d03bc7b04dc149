// Plain values exchanged with the job store: what recovery loads, what
// queries return. No database types here, so the scheduling core can use
// them without depending on libpqxx.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
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

// Room left in each queue as the broker saw it when a revive was asked for.
// A revived job takes a place like a submitted one, so a full queue refuses
// it. A snapshot: submits accepted while the revive runs are not in it.
class QueueRoom {
 public:
  // `live`: jobs per queue now; a queue not listed holds none.
  QueueRoom(std::unordered_map<std::string, uint64_t> live,
            std::map<std::string, uint64_t> capacities, uint64_t default_capacity)
      : live_(std::move(live)), capacities_(std::move(capacities)),
        default_capacity_(default_capacity) {}

  // Takes one place in `queue`, or fails with kResourceExhausted naming the
  // queue and its capacity.
  Status take(const std::string& queue) {
    auto cap = capacities_.find(queue);
    const uint64_t capacity = cap == capacities_.end() ? default_capacity_ : cap->second;
    uint64_t& live = live_[queue];
    if (live >= capacity) {
      return Status(StatusCode::kResourceExhausted, "queue '" + queue + "' is full: " +
                                                        std::to_string(live) + " jobs of capacity " +
                                                        std::to_string(capacity));
    }
    ++live;
    return Status::ok();
  }

 private:
  std::unordered_map<std::string, uint64_t> live_;
  std::map<std::string, uint64_t> capacities_;
  uint64_t default_capacity_;
};

// Outcome of reviving one dead job.
struct ReviveResult {
  uint64_t id = 0;
  Status status;               // not found / not dead / queue full
  std::optional<JobRow> row;   // the job, now queued, when status is ok
};

}  // namespace gantry::broker
