// The simulator's Prometheus counters, registered on the process's
// registry:
//   gantry_sim_requests_total{resource,status}
//   gantry_sim_limit_violations_total{resource}
//   gantry_sim_retry_after_violations_total{resource}
//   gantry_sim_faults_applied_total{resource,kind}
// Thread-safe (prometheus-cpp families are).
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

namespace gantry::sim {

class SimMetrics {
 public:
  // REQUIRES: `registry` outlives this.
  explicit SimMetrics(prometheus::Registry& registry);

  // `status` is the HTTP status, or "dropped" for a closed connection.
  void request(const std::string& resource, const std::string& status);
  void limitViolation(const std::string& resource);
  void retryAfterViolation(const std::string& resource);
  void faultApplied(const std::string& resource, const std::string& kind);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& limit_violations_;
  prometheus::Family<prometheus::Counter>& retry_after_violations_;
  prometheus::Family<prometheus::Counter>& faults_;
};

}  // namespace gantry::sim
