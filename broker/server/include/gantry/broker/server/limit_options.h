// The broker's settings that are lists of items: NAME=N limits
// (--kind-limit, --queue-limit, --queue-capacity, --key-limit) and
// KIND:field=N,... retry policies (--kind-policy). Each bad item is refused
// with one line naming the setting and the item (setting_checks.h).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gantry/broker/core/config.h"
#include "gantry/common/setting_checks.h"

namespace gantry::broker {

// NAME=N items into `out` (a later item for the same name wins). N must be
// at least 1 (a limit of 0 would stop a kind, queue or key forever) and fit
// the map's value type.
Status parseLimitItems(SettingName name, const std::vector<std::string>& items,
                       std::map<std::string, uint32_t>& out);
Status parseLimitItems(SettingName name, const std::vector<std::string>& items,
                       std::map<std::string, uint64_t>& out);

// "KIND:max_attempts=N,timeout_ms=N,backoff_base_ms=N,backoff_cap_ms=N"
// items into `out`; fields not given come from `defaults`. Each resulting
// policy must pass policyProblem().
Status parseKindPolicies(SettingName name, const std::vector<std::string>& items,
                         const KindPolicy& defaults, std::map<std::string, KindPolicy>& out);

// What is wrong with `policy` ("max_attempts must be between 1 and 1000"),
// or "" when nothing is.
std::string policyProblem(const KindPolicy& policy);

}  // namespace gantry::broker
