#include "scraper.h"

#include <atomic>
#include <chrono>

#include "support/http_get.h"

namespace gantry::bench {
namespace {

std::atomic<bool> g_enabled{false};
constexpr auto kInterval = std::chrono::seconds(1);

}  // namespace

void Scraper::enable(bool on) { g_enabled = on; }
bool Scraper::enabled() { return g_enabled; }

Scraper::Scraper() : thread_([this] { run(); }) {}

Scraper::~Scraper() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Scraper::add(int port) {
  std::lock_guard lock(mutex_);
  ports_.push_back(port);
}

uint64_t Scraper::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

void Scraper::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kInterval, [this] { return stop_; })) {
    const std::vector<int> ports = ports_;
    lock.unlock();
    uint64_t failed = 0;
    for (int port : ports) {
      auto reply = test::httpGet(port, "/metrics");
      failed += reply && reply->status == 200 ? 0 : 1;
    }
    lock.lock();
    failures_ += failed;
  }
}

}  // namespace gantry::bench
