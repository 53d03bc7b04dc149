#include "sim_metrics.h"

namespace gantry::sim {

SimMetrics::SimMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("gantry_sim_requests_total")
                    .Help("Requests to the simulated providers by resource and answer status")
                    .Register(registry)),
      limit_violations_(prometheus::BuildCounter()
                            .Name("gantry_sim_limit_violations_total")
                            .Help("Requests that found the resource's rate limit exhausted")
                            .Register(registry)),
      retry_after_violations_(prometheus::BuildCounter()
                                  .Name("gantry_sim_retry_after_violations_total")
                                  .Help("Requests that came before an announced Retry-After "
                                        "ran out (after the in-flight grace)")
                                  .Register(registry)),
      faults_(prometheus::BuildCounter()
                  .Name("gantry_sim_faults_applied_total")
                  .Help("Requests answered by an injected fault, by kind")
                  .Register(registry)) {}

void SimMetrics::request(const std::string& resource, const std::string& status) {
  requests_.Add({{"resource", resource}, {"status", status}}).Increment();
}

void SimMetrics::limitViolation(const std::string& resource) {
  limit_violations_.Add({{"resource", resource}}).Increment();
}

void SimMetrics::retryAfterViolation(const std::string& resource) {
  retry_after_violations_.Add({{"resource", resource}}).Increment();
}

void SimMetrics::faultApplied(const std::string& resource, const std::string& kind) {
  faults_.Add({{"resource", resource}, {"kind", kind}}).Increment();
}

}  // namespace gantry::sim
