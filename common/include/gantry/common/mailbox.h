// A many-producer, one-consumer queue whose readiness is an eventfd, so the
// consumer can wait on it inside zmq_poll next to its sockets. This is how
// work crosses threads without sharing sockets.
#pragma once

#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace gantry {

class EventFd {
 public:
  EventFd();
  ~EventFd();
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;

  int fd() const { return fd_; }
  void signal();
  // Clears the readiness; returns without blocking.
  void clear();

 private:
  int fd_;
};

template <typename T>
class Mailbox {
 public:
  // Thread-safe.
  void push(T item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    ready_.signal();
  }

  // Consumer only: takes everything queued so far (possibly nothing).
  std::deque<T> drain() {
    ready_.clear();
    std::lock_guard lock(mutex_);
    return std::exchange(items_, {});
  }

  // Readable while items may be waiting.
  int fd() const { return ready_.fd(); }

 private:
  std::mutex mutex_;
  std::deque<T> items_;  // GUARDED_BY(mutex_)
  EventFd ready_;
};

}  // namespace gantry
