#include "gantry/broker/core/delay_queue.h"

namespace gantry::broker {

std::vector<LiveJob*> DelayQueue::takeDue(TimeMs now_mono_ms) {
  std::vector<LiveJob*> due;
  while (!heap_.empty() && heap_.top().order <= now_mono_ms) {
    const HeapEntry entry = heap_.top();
    heap_.pop();
    if (LiveJob* job = jobs_.current(entry, Slot::kDelayed)) {
      due.push_back(job);
    }
  }
  return due;
}

std::optional<TimeMs> DelayQueue::nextDue() {
  while (!heap_.empty()) {
    if (jobs_.current(heap_.top(), Slot::kDelayed) != nullptr) {
      return heap_.top().order;
    }
    heap_.pop();
  }
  return std::nullopt;
}

}  // namespace gantry::broker
