#include "gantry/broker/core/lanes.h"

#include <algorithm>

namespace gantry::broker {

Lanes::Lane& Lanes::laneFor(uint32_t queue, uint32_t kind) {
  const uint64_t key = (static_cast<uint64_t>(queue) << 32) | kind;
  auto [it, inserted] = index_.try_emplace(key, lanes_.size());
  if (inserted) {
    Lane lane;
    lane.queue = queue;
    lane.kind = kind;
    lanes_.push_back(std::move(lane));
  }
  return lanes_[it->second];
}

void Lanes::place(LiveJob& job) {
  job.slot = Slot::kLane;
  laneFor(job.queue, job.kind).heap.push(jobs_.enterHeap(job, job.rank));
}

LiveJob* Lanes::head(Lane& lane) {
  while (!lane.heap.empty()) {
    if (LiveJob* job = jobs_.current(lane.heap.top(), Slot::kLane)) {
      return job;
    }
    lane.heap.pop();
  }
  return nullptr;
}

LiveJob* Lanes::popBest(const std::vector<uint32_t>& kinds, const Admission& admission) {
  Lane* best = nullptr;
  for (Lane& lane : lanes_) {
    if (!std::binary_search(kinds.begin(), kinds.end(), lane.kind)) {
      continue;
    }
    const LiveJob* job = head(lane);
    if (job == nullptr || admission.refusing(*job) != nullptr) {
      continue;
    }
    if (best == nullptr || JobHeap::earlier(lane.heap.top(), best->heap.top())) {
      best = &lane;
    }
  }
  if (best == nullptr) {
    return nullptr;
  }
  LiveJob* job = jobs_.find(best->heap.top().id);
  best->heap.pop();
  return job;
}

}  // namespace gantry::broker
