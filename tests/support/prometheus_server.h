// A real Prometheus (Debian's /usr/bin/prometheus) for tests: started on a
// free loopback port with a generated config that scrapes the given targets
// every 200 ms, its storage in a temp directory, stopped by PID and removed
// when the object goes. query() asks its HTTP API.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace gantry::test {

class PrometheusServer {
 public:
  struct Target {
    std::string job;  // the `job` label of its series
    int port = 0;     // on 127.0.0.1, path /metrics
  };

  // Throws std::runtime_error when Prometheus does not become ready.
  PrometheusServer(const std::string& dir, const std::vector<Target>& targets);
  ~PrometheusServer();

  // The samples of an instant query: each series' labels and value; nullopt
  // when the query fails.
  struct Sample {
    std::map<std::string, std::string> labels;
    double value = 0;
  };
  std::optional<std::vector<Sample>> query(const std::string& promql) const;
  // The value of a query expected to give one sample; nullopt otherwise.
  std::optional<double> scalar(const std::string& promql) const;
  // Polls until `promql` gives exactly `expected`, up to `timeout`.
  bool waitForValue(const std::string& promql, double expected,
                    std::chrono::milliseconds timeout) const;

  int port() const { return port_; }
  std::string log() const { return process_->log(); }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace gantry::test
