// What `gantry-bench --scrape` adds to every deployment: the broker and each
// worker serve /metrics on a loopback port, and a thread fetches every one
// of them once a second while the deployment lives, as Prometheus would.
// The figures then show what metrics and being scraped cost.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace gantry::bench {

class Scraper {
 public:
  // Whether deployments scrape (gantry-bench --scrape); off by default.
  static void enable(bool on);
  static bool enabled();

  Scraper();
  ~Scraper();  // stops the thread
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // A process now serves /metrics on 127.0.0.1:port. Thread-safe.
  void add(int port);
  // Scrapes that got no 200 so far (a process not listening yet counts).
  uint64_t failures() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<int> ports_;  // GUARDED_BY(mutex_)
  bool stop_ = false;       // GUARDED_BY(mutex_)
  uint64_t failures_ = 0;   // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace gantry::bench
