// The bounded hand-off between threads that end spans and the exporter
// thread. Producers never wait on I/O: push() is a short critical section
// (a deque push under a mutex nobody holds while sending), and a full or
// closed queue drops the span and counts it. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "span_data.h"

namespace gantry::trace {

class SpanQueue {
 public:
  // REQUIRES: 0 < batch_size <= capacity
  SpanQueue(size_t capacity, size_t batch_size);

  // Any thread. Queues the span, or drops it (counted) when the queue holds
  // `capacity` spans or is closed. The push that fills a batch wakes the
  // consumer.
  void push(SpanData&& span);

  // Consumer: returns when a batch is full, wake() was called since the last
  // return, or `timeout` has passed, whichever is first.
  void waitForWork(std::chrono::milliseconds timeout);
  // Consumer: up to `max` spans, oldest first (possibly none).
  std::vector<SpanData> take(size_t max);
  // Makes the current or next waitForWork() return at once.
  void wake();
  // Later pushes are dropped; what is queued stays for take().
  void close();

  size_t size() const;
  // Spans lost anywhere in the pipeline, this queue's drops included.
  void countDropped(uint64_t spans) { dropped_.fetch_add(spans, std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const size_t capacity_;
  const size_t batch_size_;
  // Held only to push, take or flag: never across encoding or I/O.
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<SpanData> spans_;  // GUARDED_BY(mutex_)
  bool woken_ = false;          // GUARDED_BY(mutex_)
  bool closed_ = false;         // GUARDED_BY(mutex_)
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace gantry::trace
