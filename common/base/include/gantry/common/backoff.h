// Retry delays: exponential backoff with full jitter (delay drawn uniformly
// from [0, min(cap, base * 2^(attempt-1))]), so that a burst of failures
// spreads its retries instead of hammering the upstream in lockstep.
#pragma once

#include <cstdint>
#include <random>

namespace gantry {

struct BackoffPolicy {
  uint32_t base_ms = 1000;
  uint32_t cap_ms = 5 * 60 * 1000;
};

// The upper bound of the jitter window after `attempt` failed attempts
// (attempt >= 1). Saturates at cap_ms without overflow.
uint64_t backoffCeilingMs(const BackoffPolicy& policy, uint32_t attempt);

// A delay in [0, backoffCeilingMs(policy, attempt)].
uint64_t backoffDelayMs(const BackoffPolicy& policy, uint32_t attempt, std::mt19937_64& rng);

}  // namespace gantry
