// Every job that is not final, by id; the unique keys they hold; the next
// id to issue; and the stamps that tell current heap entries from stale
// ones. The other parts of the core hold job ids and find jobs here.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry/broker/core/job_heap.h"
#include "gantry/broker/core/live_job.h"

namespace gantry::broker {

class JobIndex {
 public:
  LiveJob* find(uint64_t id) {
    auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second;
  }
  const LiveJob* find(uint64_t id) const {
    auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second;
  }
  // A new, empty job with a fresh id.
  LiveJob& create() { return add(next_id_++); }
  // A job with a known id (recovered or revived). REQUIRES: not present.
  LiveJob& add(uint64_t id);
  // Forgets a job, releasing its unique key. `job` dangles afterwards.
  void erase(LiveJob& job);
  size_t size() const { return jobs_.size(); }
  // Ids continue after `max_id` (recovery).
  void continueAfter(uint64_t max_id);

  template <class F>
  void forEach(F&& f) {
    for (auto& [id, job] : jobs_) {
      f(job);
    }
  }

  // The live job holding `unique_key`, if any.
  std::optional<uint64_t> holderOf(const std::string& unique_key) const;
  // Records `job` as the holder of its unique key; false (and nothing
  // changes) when another job holds it.
  bool claimUniqueKey(const std::string& unique_key, uint64_t id);

  // Stamps `job` as entering a heap in `order`; its older entries go stale.
  HeapEntry enterHeap(LiveJob& job, int64_t order) {
    job.heap_seq = ++heap_seq_;
    return {order, job.id, job.heap_seq};
  }
  // The job an entry stands for, if the entry is current: the job is live,
  // sits in `slot`, and has not been stamped since.
  LiveJob* current(const HeapEntry& entry, Slot slot) {
    LiveJob* job = find(entry.id);
    return job != nullptr && job->slot == slot && job->heap_seq == entry.seq ? job : nullptr;
  }
  // Pops the entries of `heap` up to `order`, and returns the jobs of those
  // that are current in `slot`, earliest first: what fell due.
  std::vector<LiveJob*> takeUpTo(JobHeap& heap, int64_t order, Slot slot) {
    std::vector<LiveJob*> due;
    while (!heap.empty() && heap.top().order <= order) {
      const HeapEntry entry = heap.top();
      heap.pop();
      if (LiveJob* job = current(entry, slot)) {
        due.push_back(job);
      }
    }
    return due;
  }

 private:
  std::unordered_map<uint64_t, LiveJob> jobs_;
  std::unordered_map<std::string, uint64_t> unique_keys_;
  uint64_t next_id_ = 1;
  // 64 bits: never wraps, so an old entry can never match a new stamp.
  uint64_t heap_seq_ = 0;
};

}  // namespace gantry::broker
