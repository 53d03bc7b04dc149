#include "gantry/common/backoff.h"

#include <algorithm>

namespace gantry {

uint64_t backoffCeilingMs(const BackoffPolicy& policy, uint32_t attempt) {
  const uint32_t doublings = attempt == 0 ? 0 : attempt - 1;
  uint64_t ceiling = policy.base_ms;
  for (uint32_t i = 0; i < doublings && ceiling < policy.cap_ms; ++i) {
    ceiling *= 2;
  }
  return std::min<uint64_t>(ceiling, policy.cap_ms);
}

uint64_t backoffDelayMs(const BackoffPolicy& policy, uint32_t attempt, std::mt19937_64& rng) {
  std::uniform_int_distribution<uint64_t> dist(0, backoffCeilingMs(policy, attempt));
  return dist(rng);
}

}  // namespace gantry
