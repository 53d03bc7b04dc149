// Plain values exchanged with the job store: what recovery loads, what
// queries return. No database types here, so the scheduling core can use
// them without depending on libpqxx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry/broker/core/config.h"
#include "gantry/broker/core/write_batch.h"
#include "gantry/common/status.h"

namespace gantry::broker {

// What a starting broker learns before the jobs themselves, which recovery
// streams one at a time (PgStore::recover).
struct RecoveredState {
  std::vector<std::string> paused_queues;
  uint64_t max_job_id = 0;  // over active and finished jobs
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
  // `live`: jobs per queue now; a queue not listed holds none. REQUIRES:
  // `config` outlives this (the broker's configuration does).
  QueueRoom(std::unordered_map<std::string, uint64_t> live, const BrokerConfig& config)
      : live_(std::move(live)), config_(&config) {}

  // Takes one place in `queue`, or fails with kResourceExhausted naming the
  // queue and its capacity.
  Status take(const std::string& queue) {
    const uint64_t capacity = config_->capacityFor(queue);
    uint64_t& live = live_[queue];
    if (live >= capacity) {
      return Status(StatusCode::kResourceExhausted, queueFullMessage(queue, live, capacity));
    }
    ++live;
    return Status::ok();
  }

 private:
  std::unordered_map<std::string, uint64_t> live_;
  const BrokerConfig* config_;  // read-only, so safe from the committer's thread
};

// Outcome of reviving one dead job.
struct ReviveResult {
  uint64_t id = 0;
  Status status;              // not found / not dead / queue full
  std::optional<JobRow> row;  // the job, now queued, when status is ok
};

// The broker that owns (or last owned) a database, as recorded when it took
// ownership.
struct BrokerOwner {
  uint64_t epoch = 0;  // 0 when no broker ever owned the database
  std::string holder;  // "host:pid (clients at <endpoint>)"
  TimeMs acquired_at_ms = 0;
};

}  // namespace gantry::broker
