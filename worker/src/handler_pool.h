// Fixed set of threads that run handler tasks. The worker's I/O thread
// decides how many tasks are outstanding (never more than threads, see
// JobTable); the pool itself just runs what it is given in order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gantry::worker {

class HandlerPool {
 public:
  // REQUIRES: threads > 0
  explicit HandlerPool(size_t threads);
  // Runs the tasks already posted, then joins. Blocks while a task blocks.
  ~HandlerPool();
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Thread-safe. `task` must not throw.
  void post(std::function<void()> task);

 private:
  void threadMain();

  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
  std::vector<std::thread> threads_;
};

}  // namespace gantry::worker
