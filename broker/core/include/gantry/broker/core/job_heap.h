// A min-heap of (order, job id) entries with lazy deletion: an entry
// remembers the job's heap_seq when it was pushed, and is stale once the job
// has been stamped again (JobIndex::enterHeap) or has left the slot the heap
// holds. Lanes, the delay queue, the lease table and the key waiting rooms
// are all built from it. Ties in order go to the smaller id. Not
// thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace gantry::broker {

struct HeapEntry {
  int64_t order = 0;
  uint64_t id = 0;
  uint64_t seq = 0;
};

class JobHeap {
 public:
  void push(HeapEntry entry) {
    entries_.push_back(entry);
    std::push_heap(entries_.begin(), entries_.end(), later);
  }
  bool empty() const { return entries_.empty(); }
  // REQUIRES: !empty()
  const HeapEntry& top() const { return entries_.front(); }
  void pop() {
    std::pop_heap(entries_.begin(), entries_.end(), later);
    entries_.pop_back();
  }

  // Whether `a` comes before `b` (the heap's own order).
  static bool earlier(const HeapEntry& a, const HeapEntry& b) { return later(b, a); }

 private:
  static bool later(const HeapEntry& a, const HeapEntry& b) {
    return a.order != b.order ? a.order > b.order : a.id > b.id;
  }
  std::vector<HeapEntry> entries_;
};

}  // namespace gantry::broker
