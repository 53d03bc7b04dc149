#include "gantry/broker/core/delay_queue.h"

namespace gantry::broker {

std::vector<LiveJob*> DelayQueue::takeDue(TimeMs now_mono_ms) {
  return jobs_.takeUpTo(heap_, now_mono_ms, Slot::kDelayed);
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
