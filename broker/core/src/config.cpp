#include "gantry/broker/core/config.h"

namespace gantry::broker {

uint32_t BrokerConfig::keyLimitFor(const std::string& key) const {
  size_t best_length = 0;
  uint32_t limit = default_key_limit;
  for (const auto& [prefix, value] : key_limits) {
    if (key.starts_with(prefix) && prefix.size() >= best_length) {
      best_length = prefix.size();
      limit = value;
    }
  }
  return limit;
}

const KindPolicy& BrokerConfig::policyFor(const std::string& kind) const {
  auto it = kind_policies.find(kind);
  return it == kind_policies.end() ? default_policy : it->second;
}

uint64_t BrokerConfig::capacityFor(const std::string& queue) const {
  auto it = queue_capacities.find(queue);
  return it == queue_capacities.end() ? default_queue_capacity : it->second;
}

std::string queueFullMessage(const std::string& queue, uint64_t live, uint64_t capacity) {
  return "queue '" + queue + "' is full: " + std::to_string(live) + " jobs of capacity " +
         std::to_string(capacity);
}

}  // namespace gantry::broker
