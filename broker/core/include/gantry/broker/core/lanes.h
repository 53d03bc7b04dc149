// Runnable jobs, one lane per (queue, kind): a heap by rank, so the head of
// a lane is the job that should run next among its jobs. Dispatch looks at
// the heads of the lanes a worker can serve and takes the best one that
// admission lets through (admission.h). Not thread-safe: part of the core.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "gantry/broker/core/admission.h"
#include "gantry/broker/core/job_heap.h"
#include "gantry/broker/core/job_index.h"

namespace gantry::broker {

class Lanes {
 public:
  explicit Lanes(JobIndex& jobs) : jobs_(jobs) {}

  // Puts a runnable job in its lane at its rank (Slot::kLane).
  void place(LiveJob& job);
  // Takes the job that should run next among the lanes of `kinds` (sorted
  // kind ids) whose head the lane gates admit; nullptr when there is none.
  // The job leaves its lane (its slot is still kLane: the caller moves it).
  LiveJob* popBest(const std::vector<uint32_t>& kinds, const Admission& admission);
  // Calls f(const LiveJob&) with the head of every lane that has one.
  template <typename F>
  void forEachHead(F&& f) {
    for (Lane& lane : lanes_) {
      if (const LiveJob* job = head(lane)) {
        f(*job);
      }
    }
  }

 private:
  struct Lane {
    uint32_t queue = 0;
    uint32_t kind = 0;
    JobHeap heap;
  };
  Lane& laneFor(uint32_t queue, uint32_t kind);
  // The lane's current head, dropping stale entries above it.
  LiveJob* head(Lane& lane);

  JobIndex& jobs_;
  std::vector<Lane> lanes_;
  std::unordered_map<uint64_t, size_t> index_;  // (queue << 32 | kind) -> lanes_
};

}  // namespace gantry::broker
