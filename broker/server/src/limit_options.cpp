#include "gantry/broker/server/limit_options.h"

#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "gantry/common/job_spec.h"

namespace gantry::broker {
namespace {

// Plain decimal, no sign.
std::optional<uint64_t> parseNumber(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// "'<item>': <problem>", the item being part of the list the operator gave.
Status badItem(SettingName name, const std::string& item, const std::string& problem) {
  return settingError(name, "'" + item + "': " + problem);
}

std::optional<std::pair<std::string, std::string>> splitAssignment(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return std::nullopt;
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

template <typename Value>
Status parseLimits(SettingName name, const std::vector<std::string>& items,
                   std::map<std::string, Value>& out) {
  const uint64_t max = std::numeric_limits<Value>::max();
  for (const auto& item : items) {
    auto pair = splitAssignment(item);
    if (!pair) {
      return badItem(name, item, "expected NAME=N");
    }
    auto number = parseNumber(pair->second);
    if (!number || *number == 0 || *number > max) {
      return badItem(name, item, "N must be an integer between 1 and " + std::to_string(max));
    }
    out[pair->first] = static_cast<Value>(*number);
  }
  return Status::ok();
}

// Sets one "field=N" of a --kind-policy item; the problem, or "".
std::string setPolicyField(const std::string& assignment, KindPolicy& policy) {
  auto pair = splitAssignment(assignment);
  if (!pair) {
    return "expected field=N, got '" + assignment + "'";
  }
  auto number = parseNumber(pair->second);
  if (!number || *number > std::numeric_limits<uint32_t>::max()) {
    return pair->first + " must be an integer between 0 and " +
           std::to_string(std::numeric_limits<uint32_t>::max());
  }
  const auto value = static_cast<uint32_t>(*number);
  if (pair->first == "max_attempts") {
    policy.max_attempts = value;
  } else if (pair->first == "timeout_ms") {
    policy.timeout_ms = value;
  } else if (pair->first == "backoff_base_ms") {
    policy.backoff.base_ms = value;
  } else if (pair->first == "backoff_cap_ms") {
    policy.backoff.cap_ms = value;
  } else {
    return "unknown field '" + pair->first +
           "' (max_attempts, timeout_ms, backoff_base_ms, backoff_cap_ms)";
  }
  return {};
}

}  // namespace

Status parseLimitItems(SettingName name, const std::vector<std::string>& items,
                       std::map<std::string, uint32_t>& out) {
  return parseLimits(name, items, out);
}

Status parseLimitItems(SettingName name, const std::vector<std::string>& items,
                       std::map<std::string, uint64_t>& out) {
  return parseLimits(name, items, out);
}

Status parseKindPolicies(SettingName name, const std::vector<std::string>& items,
                         const KindPolicy& defaults, std::map<std::string, KindPolicy>& out) {
  for (const auto& item : items) {
    const auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0) {
      return badItem(name, item, "expected KIND:field=N,...");
    }
    KindPolicy policy = defaults;
    std::string rest = item.substr(colon + 1);
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (std::string problem = setPolicyField(rest.substr(0, comma), policy); !problem.empty()) {
        return badItem(name, item, problem);
      }
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    if (std::string problem = policyProblem(policy); !problem.empty()) {
      return badItem(name, item, problem);
    }
    out[item.substr(0, colon)] = policy;
  }
  return Status::ok();
}

std::string policyProblem(const KindPolicy& policy) {
  const JobLimits limits;
  if (policy.max_attempts == 0 || policy.max_attempts > limits.max_attempts) {
    return "max_attempts must be between 1 and " + std::to_string(limits.max_attempts);
  }
  if (policy.timeout_ms == 0 || policy.timeout_ms > limits.max_timeout_ms) {
    return "timeout_ms must be between 1 and " + std::to_string(limits.max_timeout_ms);
  }
  if (policy.backoff.base_ms == 0 || policy.backoff.cap_ms < policy.backoff.base_ms) {
    return "backoff needs 0 < backoff_base_ms <= backoff_cap_ms, got " +
           std::to_string(policy.backoff.base_ms) + " and " + std::to_string(policy.backoff.cap_ms);
  }
  return {};
}

}  // namespace gantry::broker
