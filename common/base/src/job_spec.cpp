#include "gantry/common/job_spec.h"

#include <algorithm>

namespace gantry {
namespace {

// No control characters or spaces; bytes of UTF-8 sequences are allowed
// (compared as unsigned, whatever the platform's char signedness).
bool isPrintableName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > ' ' && byte != 0x7f;
  });
}

Status checkName(std::string_view field, const std::string& value, bool required,
                 const JobLimits& limits) {
  if (value.empty()) {
    return required ? invalidArgument(std::string(field) + " must not be empty") : Status::ok();
  }
  if (value.size() > limits.max_name_bytes) {
    return invalidArgument(std::string(field) + " is " + std::to_string(value.size()) +
                           " bytes; the limit is " + std::to_string(limits.max_name_bytes));
  }
  if (!isPrintableName(value)) {
    return invalidArgument(std::string(field) + " must be printable with no spaces");
  }
  return Status::ok();
}

}  // namespace

Status validateJobSpec(const wire::JobSpec& spec, const JobLimits& limits) {
  if (auto s = checkName("kind", spec.kind(), true, limits); !s.isOk()) {
    return s;
  }
  if (auto s = checkName("queue", spec.queue(), false, limits); !s.isOk()) {
    return s;
  }
  if (auto s = checkName("concurrency_key", spec.concurrency_key(), false, limits); !s.isOk()) {
    return s;
  }
  if (auto s = checkName("unique_key", spec.unique_key(), false, limits); !s.isOk()) {
    return s;
  }
  if (spec.priority() < kMinPriority || spec.priority() > kMaxPriority) {
    return invalidArgument("priority " + std::to_string(spec.priority()) + " is outside " +
                           std::to_string(kMinPriority) + ".." + std::to_string(kMaxPriority));
  }
  if (spec.payload().size() > limits.max_payload_bytes) {
    return invalidArgument("payload is " + std::to_string(spec.payload().size()) +
                           " bytes; the limit is " + std::to_string(limits.max_payload_bytes));
  }
  if (spec.max_attempts() > limits.max_attempts) {
    return invalidArgument("max_attempts " + std::to_string(spec.max_attempts()) +
                           " exceeds the limit of " + std::to_string(limits.max_attempts));
  }
  if (spec.timeout_ms() > limits.max_timeout_ms) {
    return invalidArgument("timeout_ms " + std::to_string(spec.timeout_ms()) +
                           " exceeds the limit of " + std::to_string(limits.max_timeout_ms));
  }
  if (spec.run_at_ms() < 0) {
    return invalidArgument("run_at_ms must not be negative");
  }
  if (spec.traceparent().size() > 128) {
    return invalidArgument("traceparent is longer than 128 bytes");
  }
  return Status::ok();
}

const char* jobStateName(wire::JobState state) {
  switch (state) {
    case wire::QUEUED: return "queued";
    case wire::RUNNING: return "running";
    case wire::SUCCEEDED: return "succeeded";
    case wire::FAILED: return "failed";
    case wire::DEAD: return "dead";
    case wire::CANCELLED: return "cancelled";
    default: return "unspecified";
  }
}

std::optional<wire::JobState> parseJobState(std::string_view name) {
  for (auto state : {wire::QUEUED, wire::RUNNING, wire::SUCCEEDED, wire::FAILED, wire::DEAD,
                     wire::CANCELLED}) {
    if (name == jobStateName(state)) {
      return state;
    }
  }
  return std::nullopt;
}

bool isFinalState(wire::JobState state) {
  return state == wire::SUCCEEDED || state == wire::DEAD || state == wire::CANCELLED;
}

const char* outcomeName(wire::Outcome outcome) {
  switch (outcome) {
    case wire::OUTCOME_SUCCEEDED: return "succeeded";
    case wire::OUTCOME_RETRYABLE: return "retryable";
    case wire::OUTCOME_FATAL: return "fatal";
    case wire::OUTCOME_CANCELLED: return "cancelled";
    case wire::OUTCOME_HANDED_BACK: return "handed_back";
    default: return "unspecified";
  }
}

}  // namespace gantry
