// The integers operators give gantryctl, on the command line and in batch
// files: the range each accepts and the words that explain it, so that a
// flag and the batch field with the same meaning refuse a bad value with the
// same sentence, "must be <meaning>, got <value>", naming the real limits
// (job_spec.h) rather than those of the C++ type that holds the value.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/common/job_spec.h"
#include "gantry/common/status.h"

namespace gantry::tools {

struct IntegerRule {
  int64_t min = 0;
  int64_t max = 0;
  // What an accepted value is, for the message: "an integer in 0..9".
  std::string meaning;
};

// "must be <meaning>, got <value>".
std::string ruleViolation(const IntegerRule& rule, std::string_view value);

// Decimal text (an optional '-' and digits, nothing else) within the rule;
// otherwise kInvalidArgument with ruleViolation's message.
Result<int64_t> parseInteger(std::string_view text, const IntegerRule& rule);

// Job fields, as flags and batch fields.
IntegerRule priorityRule();
IntegerRule maxAttemptsRule(const JobLimits& limits);
IntegerRule timeoutMsRule(const JobLimits& limits);
IntegerRule runAtMsRule();
IntegerRule delayMsRule();

// Job ids: `get`, `cancel` and `retry` take ids of jobs (from 1); `list
// --after` takes a cursor, where 0 means from the first job.
IntegerRule jobIdRule();
IntegerRule afterIdRule();

// The longest job timeout, as an operator writes it: "24h".
std::string maxTimeoutText(const JobLimits& limits);

}  // namespace gantry::tools
