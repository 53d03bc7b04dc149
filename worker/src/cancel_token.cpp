#include "gantry/worker/cancel_token.h"

#include <cassert>

namespace gantry::worker {

const char* cancelReasonName(CancelReason reason) {
  switch (reason) {
    case CancelReason::kNone:
      return "none";
    case CancelReason::kCancelled:
      return "cancelled";
    case CancelReason::kTimeout:
      return "timeout";
    case CancelReason::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

bool CancelToken::cancel(CancelReason reason) {
  assert(reason != CancelReason::kNone);
  CancelReason expected = CancelReason::kNone;
  bool won = false;
  {
    // Taking the mutex orders the store before a waiter's predicate check,
    // so a waiter cannot miss the notify between checking and blocking.
    std::lock_guard lock(mutex_);
    won = reason_.compare_exchange_strong(expected, reason, std::memory_order_acq_rel);
  }
  if (won) {
    wakeup_.notify_all();
  }
  return won;
}

bool CancelToken::waitFor(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return wakeup_.wait_for(lock, duration, [this] { return isCancelled(); });
}

bool CancelToken::waitUntil(const std::function<bool()>& ready) {
  std::unique_lock lock(mutex_);
  wakeup_.wait(lock, [&] { return ready() || isCancelled(); });
  return ready();
}

void CancelToken::notify() {
  {
    // As in cancel(): a waiter between its check and blocking holds the
    // mutex, so the notify cannot fall in that gap.
    std::lock_guard lock(mutex_);
  }
  wakeup_.notify_all();
}

}  // namespace gantry::worker
