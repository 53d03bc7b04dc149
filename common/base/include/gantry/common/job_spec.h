// Validation of client-supplied job specs, shared by the broker (which
// enforces) and gantryctl (which fails early).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gantry.pb.h"
#include "gantry/common/status.h"

namespace gantry {

inline constexpr int32_t kMinPriority = 0;
inline constexpr int32_t kMaxPriority = 9;
inline constexpr const char* kDefaultQueue = "default";

struct JobLimits {
  // Larger payloads belong in object storage with a reference in the job.
  uint32_t max_payload_bytes = 1u << 20;
  // Names are identifiers, not data.
  uint32_t max_name_bytes = 200;
  uint32_t max_attempts = 1000;
  // A day: longer work should be split into steps.
  uint32_t max_timeout_ms = 24u * 3600u * 1000u;
};

// Checks one spec; the message names the offending field and the rule.
Status validateJobSpec(const wire::JobSpec& spec, const JobLimits& limits);
// Checks a queue named on its own (pause, resume): required, and the rules
// of a spec's queue.
Status validateQueueName(const std::string& queue, const JobLimits& limits);

}  // namespace gantry
