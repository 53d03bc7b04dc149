// Ctrl-C and SIGTERM for the benchmark: the handler only raises a flag, and
// every wait in the benchmark checks it and throws BenchError, so the stack
// unwinds and each started process is stopped by its owner's destructor.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

namespace gantry::bench {

// A failure that ends the current scenario (or the whole run when
// interrupted); what() says what to look at.
class BenchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Installs the SIGINT/SIGTERM handlers. Call once from main.
void installStopHandlers();
bool stopRequested();
// Throws BenchError("interrupted") once a stop was requested.
void throwIfStopped();

// Polls `condition` every `interval` until it holds. Throws BenchError naming
// `what` when `timeout` passes first, or when a stop was requested.
void waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval, const std::string& what);

// Sleeps `duration` unless a stop is requested (then throws).
void pauseFor(std::chrono::milliseconds duration);

}  // namespace gantry::bench
