// A many-producer, one-consumer queue whose readiness is an eventfd, so the
// consumer can wait on it in one poll next to its sockets (PollSet,
// gantry/net/poll_set.h). This is how work crosses threads without sharing
// sockets.
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
    bool was_empty = false;
    {
      std::lock_guard lock(mutex_);
      was_empty = items_.empty();
      items_.push_back(std::move(item));
    }
    // Only the first item since the last drain signals: the fd is already
    // readable for the others, and each signal is a system call.
    if (was_empty) {
      ready_.signal();
    }
  }

  // Consumer only: takes everything queued so far (possibly nothing).
  std::deque<T> drain() {
    // Clear before taking: an item pushed after the take finds the queue
    // empty and signals again, so it cannot be stranded.
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
