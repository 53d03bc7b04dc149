// The names of a setting and the one-line messages that refuse its value:
//   --heartbeat-ms (GANTRY_HEARTBEAT_MS): '0' must be between 10 and 3600000
// Every check of a process's configuration words its failure this way, so
// the operator learns from one line the flag, the variable, the value (masked
// when secret) and the rule. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

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
Status checkRange(SettingName name, int64_t value, int64_t min, int64_t max);
Status checkRange(SettingName name, uint64_t value, uint64_t min, uint64_t max);
inline Status checkRange(SettingName name, uint32_t value, uint64_t min, uint64_t max) {
  return checkRange(name, static_cast<uint64_t>(value), min, max);
}

// "'<value>' must be one of a|b|c" unless value is one of `allowed`.
Status checkOneOf(SettingName name, std::string_view value,
                  std::span<const std::string_view> allowed);

}  // namespace gantry
