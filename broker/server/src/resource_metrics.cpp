#include "gantry/broker/server/resource_metrics.h"

#include <algorithm>
#include <map>
#include <string>

namespace gantry::broker {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& registry, const char* name,
                                             const char* help) {
  return BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& registry, const char* name,
                                                 const char* help) {
  return BuildCounter().Name(name).Help(help).Register(registry);
}

constexpr const char* kCircuitStates[] = {"closed", "open", "half-open"};

}  // namespace

void advanceCounter(prometheus::Counter& counter, double total) {
  const double grew = total - counter.Value();
  if (grew > 0) {
    counter.Increment(grew);
  }
}

ResourceMetrics::ResourceMetrics(prometheus::Registry& registry)
    : limit_(gauge(registry, "gantry_resource_limit_per_second",
                   "Configured rate limit of each external resource")),
      rate_(gauge(registry, "gantry_resource_rate_per_second",
                  "Current permitted rate: below the limit after pushback, recovering")),
      tokens_(gauge(registry, "gantry_resource_tokens", "Tokens in each resource's bucket")),
      held_(gauge(registry, "gantry_resource_held_seconds",
                  "Seconds left of a hold after upstream pushback (0 = not held)")),
      circuit_(gauge(registry, "gantry_resource_circuit_state",
                     "1 for each resource's circuit state (closed, open, half-open)")),
      waiting_(gauge(registry, "gantry_resource_permit_requests_waiting",
                     "Handler permit requests waiting for a resource")),
      granted_(counter(registry, "gantry_resource_permits_granted_total",
                       "Calls granted on each resource")),
      pushbacks_(counter(registry, "gantry_resource_pushbacks_total",
                         "Upstream pushbacks (429, 503 with Retry-After) reported")),
      failures_(counter(registry, "gantry_resource_failures_total",
                        "Failed calls (5xx, timeouts, refused) reported")),
      opened_(counter(registry, "gantry_resource_circuit_opened_total",
                      "Times each resource's circuit opened")),
      waited_(counter(registry, "gantry_resource_permit_wait_seconds_total",
                      "Time granted permit requests waited, summed")) {}

void ResourceMetrics::publish(const wire::StatsReply& stats, TimeMs now_wall_ms) {
  for (const wire::ResourceStats& resource : stats.resources()) {
    const std::map<std::string, std::string> labels = {{"resource", resource.name()}};
    limit_.Add(labels).Set(resource.limit_per_s());
    rate_.Add(labels).Set(resource.rate_per_s());
    tokens_.Add(labels).Set(resource.tokens());
    const TimeMs held_ms = std::max<TimeMs>(0, resource.held_until_ms() - now_wall_ms);
    held_.Add(labels).Set(static_cast<double>(held_ms) / 1000);
    for (const char* state : kCircuitStates) {
      circuit_.Add({{"resource", resource.name()}, {"state", state}})
          .Set(resource.circuit() == state ? 1 : 0);
    }
    waiting_.Add(labels).Set(static_cast<double>(resource.waiting()));
    advanceCounter(granted_.Add(labels), static_cast<double>(resource.granted_total()));
    advanceCounter(pushbacks_.Add(labels), static_cast<double>(resource.pushbacks_total()));
    advanceCounter(failures_.Add(labels), static_cast<double>(resource.failures_total()));
    advanceCounter(opened_.Add(labels), static_cast<double>(resource.circuit_opened_total()));
    advanceCounter(waited_.Add(labels), static_cast<double>(resource.waited_ms_total()) / 1000);
  }
}

}  // namespace gantry::broker
