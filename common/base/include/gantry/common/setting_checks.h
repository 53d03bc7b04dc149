// The names of a setting and the one-line messages that refuse its value:
//   --heartbeat-ms (GANTRY_HEARTBEAT_MS): '0' must be between 10 and 3600000
// Every check of a process's configuration words its failure this way, so
// the operator learns from one line the flag, the variable, the value (masked
// when secret) and the rule. Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "gantry/common/status.h"

namespace gantry {

// How an operator names a setting.
struct SettingName {
  std::string_view flag;  // "--heartbeat-ms"
  std::string_view env;   // "GANTRY_HEARTBEAT_MS"; empty when it has none
};

// "--heartbeat-ms (GANTRY_HEARTBEAT_MS)", or "--flag" alone.
std::string describeSetting(SettingName name);

// kInvalidArgument "<describeSetting(name)>: <problem>".
Status settingError(SettingName name, std::string_view problem);

// kInvalidArgument "<describeSetting(name)>: '<shown>' <rule>". `shown` is
// the value as it may be shown: masked for a secret (see secret_mask.h).
Status invalidSetting(SettingName name, std::string_view shown, std::string_view rule);

// "'<value>' must be between <min> and <max>" unless min <= value <= max.
// Any integer types: compared by value, whatever their signedness.
template <typename T, typename Min, typename Max>
Status checkRange(SettingName name, T value, Min min, Max max) {
  if (std::cmp_greater_equal(value, min) && std::cmp_less_equal(value, max)) {
    return Status::ok();
  }
  return invalidSetting(name, std::to_string(value),
                        "must be between " + std::to_string(min) + " and " + std::to_string(max));
}

// "'<value>' must be one of a|b|c" unless value is one of `allowed`.
Status checkOneOf(SettingName name, std::string_view value,
                  std::span<const std::string_view> allowed);

}  // namespace gantry
