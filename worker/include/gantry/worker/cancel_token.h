// Cooperative cancellation for one job attempt. The worker's I/O thread
// cancels (broker CancelJob, deadline, shutdown); the handler thread checks
// or waits on it. Handlers must poll isCancelled() between steps or wait via
// waitFor() instead of sleeping, so that a cancel stops them promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace gantry::worker {

// Why a token was cancelled. kNone while it has not been.
enum class CancelReason {
  kNone = 0,
  kCancelled,  // the broker relayed an operator's cancel
  kTimeout,    // the attempt's deadline passed
  kShutdown,   // the worker is stopping and its grace period ran out
};

const char* cancelReasonName(CancelReason reason);

// Thread-safe. Not copyable: share it by reference or shared_ptr.
class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // The first cancel wins and fixes the reason; later calls change nothing.
  // Returns true when this call did the cancelling.
  // REQUIRES: reason != kNone
  bool cancel(CancelReason reason);

  bool isCancelled() const { return reason() != CancelReason::kNone; }
  CancelReason reason() const { return reason_.load(std::memory_order_acquire); }

  // Blocks until cancelled or until `duration` has passed, whichever is
  // first. Returns true when cancelled (including already on entry). This is
  // the interruptible sleep handlers use to pace or wait.
  bool waitFor(std::chrono::milliseconds duration);

  // Blocks until `ready()` is true or the token is cancelled; returns
  // ready(). Whoever makes ready() true must call notify() afterwards.
  bool waitUntil(const std::function<bool()>& ready);
  // Wakes waitUntil() callers to check their condition again.
  void notify();

 private:
  std::atomic<CancelReason> reason_{CancelReason::kNone};
  std::mutex mutex_;  // pairs with wakeup_; guards no data of its own
  std::condition_variable wakeup_;
};

}  // namespace gantry::worker
