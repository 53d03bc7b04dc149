// What `gantry-bench --trace` adds: every job carries a sampled traceparent,
// the broker and workers export their spans with OTLP to this sink, which
// answers 200 to every POST without decoding it, so the figures show what
// recording and exporting spans cost the broker and workers, not what a
// collector costs. A thread per connection; keep-alive as libcurl uses it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gantry.pb.h"

namespace gantry::bench {

class OtlpSink {
 public:
  // Whether deployments trace (gantry-bench --trace); null when off.
  static void enable(bool on);
  static OtlpSink* active();

  OtlpSink();  // listens on a free loopback port
  ~OtlpSink();
  OtlpSink(const OtlpSink&) = delete;
  OtlpSink& operator=(const OtlpSink&) = delete;

  // The environment that points a process's exporter here.
  std::map<std::string, std::string> environment() const;
  uint64_t exports() const { return exports_.load(); }

 private:
  void acceptLoop();
  void serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> exports_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // acceptor thread only
};

// With --trace: gives `spec` a sampled traceparent (a new trace).
void stampTrace(wire::JobSpec& spec);

}  // namespace gantry::bench
