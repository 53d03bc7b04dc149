// Jobs waiting for their time: a delay asked by the submitter (run_at) or a
// retry's backoff. Ordered by when they are due on the monotonic time line,
// so a step of the wall clock neither fires them early nor holds them back.
// Not thread-safe: part of the core.
#pragma once

#include <optional>
#include <vector>

#include "gantry/broker/core/job_heap.h"
#include "gantry/broker/core/job_index.h"

namespace gantry::broker {

class DelayQueue {
 public:
  explicit DelayQueue(JobIndex& jobs) : jobs_(jobs) {}

  // The job waits until `due_mono_ms` (Slot::kDelayed).
  void add(LiveJob& job, TimeMs due_mono_ms) {
    job.slot = Slot::kDelayed;
    heap_.push(jobs_.enterHeap(job, due_mono_ms));
  }
  // Jobs due at or before `now_mono_ms`, earliest first. They leave the
  // queue; their slot is still kDelayed: the caller moves them.
  std::vector<LiveJob*> takeDue(TimeMs now_mono_ms);
  // When the earliest job is due, if any job waits.
  std::optional<TimeMs> nextDue();

 private:
  JobIndex& jobs_;
  JobHeap heap_;
};

}  // namespace gantry::broker
