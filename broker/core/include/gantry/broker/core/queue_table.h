// Per-queue state: the pause flag and how many jobs the queue holds in each
// place, kept as jobs move so stats, capacity checks and the queue gates
// never count. Queues are known by their interned name (NameTable).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "gantry/broker/core/live_job.h"
#include "gantry/common/job_spec.h"

namespace gantry::broker {

struct QueueState {
  bool paused = false;
  uint64_t ready = 0;    // runnable now (in a lane or waiting beside its key)
  uint64_t delayed = 0;  // waiting for run_at
  uint64_t running = 0;
  uint64_t ready_by_priority[kMaxPriority + 1] = {};
  uint64_t live() const { return ready + delayed + running; }
};

class QueueTable {
 public:
  QueueState& at(uint32_t queue) { return queues_[queue]; }
  // nullptr for a queue that never held a job and was never paused.
  const QueueState* find(uint32_t queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? nullptr : &it->second;
  }
  bool paused(uint32_t queue) const {
    const QueueState* state = find(queue);
    return state != nullptr && state->paused;
  }
  void countReady(const LiveJob& job, int delta) {
    QueueState& state = at(job.queue);
    state.ready += delta;
    state.ready_by_priority[job.priority] += delta;
  }
  const std::unordered_map<uint32_t, QueueState>& all() const { return queues_; }

 private:
  std::unordered_map<uint32_t, QueueState> queues_;
};

}  // namespace gantry::broker
