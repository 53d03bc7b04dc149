#include "gantry/tools/integer_rule.h"

#include <charconv>
#include <limits>

#include "gantry/tools/time_text.h"

namespace gantry::tools {
namespace {

constexpr int64_t kHourMs = int64_t{3600} * 1000;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::string rangeText(int64_t min, int64_t max) {
  return std::to_string(min) + ".." + std::to_string(max);
}

}  // namespace

std::string ruleViolation(const IntegerRule& rule, std::string_view value) {
  return "must be " + rule.meaning + ", got " + (value.empty() ? "nothing" : std::string(value));
}

Result<int64_t> parseInteger(std::string_view text, const IntegerRule& rule) {
  // from_chars takes exactly an optional '-' and digits; a '+', spaces, a
  // fraction or an exponent leave characters unread and are refused.
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < rule.min || value > rule.max) {
    return invalidArgument(ruleViolation(rule, text));
  }
  return value;
}

IntegerRule priorityRule() {
  return {kMinPriority, kMaxPriority, "an integer in " + rangeText(kMinPriority, kMaxPriority)};
}

IntegerRule maxAttemptsRule(const JobLimits& limits) {
  return {0, limits.max_attempts,
          "an integer in " + rangeText(0, limits.max_attempts) + " (0: the kind's default)"};
}

IntegerRule timeoutMsRule(const JobLimits& limits) {
  return {0, limits.max_timeout_ms,
          "milliseconds in " + rangeText(0, limits.max_timeout_ms) + " (at most " +
              maxTimeoutText(limits) + "; 0: the kind's default)"};
}

IntegerRule runAtMsRule() { return {0, kInt64Max, "unix milliseconds >= 0"}; }

IntegerRule delayMsRule() {
  return {0, kMaxDurationMs, "milliseconds in " + rangeText(0, kMaxDurationMs) + " (a year)"};
}

IntegerRule jobIdRule() { return {1, kInt64Max, "a job id (an integer >= 1)"}; }

IntegerRule afterIdRule() {
  return {0, kInt64Max, "a job id (an integer >= 0; 0 starts at the first job)"};
}

std::string maxTimeoutText(const JobLimits& limits) {
  const int64_t ms = limits.max_timeout_ms;
  return ms % kHourMs == 0 ? std::to_string(ms / kHourMs) + "h" : formatDurationMs(ms);
}

}  // namespace gantry::tools
