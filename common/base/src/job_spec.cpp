#include "gantry/common/job_spec.h"

#include <algorithm>

#include "gantry/common/utf8.h"

namespace gantry {
namespace {

// No control characters or spaces; non-ASCII characters are allowed when
// the name is valid UTF-8 (bytes compared as unsigned, whatever the
// platform's char signedness). Names are stored as text, which holds only
// valid UTF-8.
bool isPrintableName(std::string_view name) {
  return isValidUtf8(name) && std::all_of(name.begin(), name.end(), [](char c) {
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
    return invalidArgument(std::string(field) +
                           " must be printable UTF-8 with no spaces or control characters");
  }
  return Status::ok();
}

}  // namespace

Status validateQueueName(const std::string& queue, const JobLimits& limits) {
  return checkName("queue", queue, true, limits);
}

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

}  // namespace gantry
