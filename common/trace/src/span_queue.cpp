#include "span_queue.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace gantry::trace {

SpanQueue::SpanQueue(size_t capacity, size_t batch_size)
    : capacity_(capacity), batch_size_(batch_size) {
  assert(batch_size_ > 0 && batch_size_ <= capacity_);
}

void SpanQueue::push(SpanData&& span) {
  bool batch_full = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || spans_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    spans_.push_back(std::move(span));
    // Only the push that completes a batch notifies: the consumer checks
    // the size before it waits, so later pushes need no signal.
    batch_full = spans_.size() == batch_size_;
  }
  if (batch_full) {
    work_.notify_one();
  }
}

void SpanQueue::waitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  work_.wait_for(lock, timeout, [this] { return woken_ || spans_.size() >= batch_size_; });
  woken_ = false;
}

std::vector<SpanData> SpanQueue::take(size_t max) {
  std::vector<SpanData> out;
  std::lock_guard lock(mutex_);
  const size_t n = std::min(max, spans_.size());
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(std::move(spans_.front()));
    spans_.pop_front();
  }
  return out;
}

void SpanQueue::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  work_.notify_one();
}

void SpanQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

size_t SpanQueue::size() const {
  std::lock_guard lock(mutex_);
  return spans_.size();
}

}  // namespace gantry::trace
