// Shared by the trace suite: tracer configs for tests, and endpoints that
// fail in the ways a collector can (refusing connections, or accepting them
// and never answering).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>

#include "gantry/trace/tracer.h"

namespace gantry::trace {

// A config that exports to `endpoint` with a schedule delay long enough that
// only a full batch, flush() or the destructor sends anything.
inline TracerConfig testConfig(const std::string& endpoint) {
  TracerConfig config;
  config.endpoint = endpoint;
  config.service_name = "trace-test";
  config.schedule_delay_ms = 60'000;
  config.export_timeout_ms = 5'000;
  return config;
}

// A TCP socket on 127.0.0.1 with a port the kernel chose. listen(): the
// kernel completes connections into the backlog and nobody ever answers,
// like a collector that hangs. Without listen(): the port is taken but
// connections to it are refused, like a collector that is down.
class TestSocket {
 public:
  explicit TestSocket(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (listening && ::listen(fd_, 64) != 0)) {
      throw std::runtime_error("cannot set up a test socket");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~TestSocket() { ::close(fd_); }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  int port_ = 0;
};

// Destroys the tracer on another thread; true when that finished within
// `bound`. (When it does not, the test fails and still waits for it.)
inline bool destroyedWithin(std::unique_ptr<Tracer> tracer, std::chrono::milliseconds bound) {
  auto done = std::async(std::launch::async, [t = std::move(tracer)]() mutable { t.reset(); });
  return done.wait_for(bound) == std::future_status::ready;
}

}  // namespace gantry::trace
