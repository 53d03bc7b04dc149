#include "stop_flag.h"

#include <signal.h>

#include <atomic>
#include <thread>

namespace gantry::bench {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int) { g_stop.store(true); }

}  // namespace

void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stopRequested() { return g_stop.load(); }

void throwIfStopped() {
  if (stopRequested()) {
    throw BenchError("interrupted");
  }
}

void waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    throwIfStopped();
    if (std::chrono::steady_clock::now() > deadline) {
      throw BenchError("timed out after " + std::to_string(timeout.count()) + " ms waiting for " +
                       what);
    }
    std::this_thread::sleep_for(interval);
  }
}

void pauseFor(std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    throwIfStopped();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(20), until - std::chrono::steady_clock::now()));
  }
}

}  // namespace gantry::bench
