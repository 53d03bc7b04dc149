// --resource items: the rate-limited external resources the broker holds
// permits for (docs/handlers.md, "Resources"):
//
//   NAME=RATE/UNIT[,burst=N][,failures=N][,open=DURATION][,hold=DURATION]
//
// RATE a positive decimal, UNIT s, min or h ("graph=100/min",
// "zoom.recordings=8/s,burst=2"); DURATION a whole number with ms, s or min
// ("open=30s"). Each bad item is refused with one line naming the setting
// and the item. Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gantry/broker/core/config.h"
#include "gantry/common/setting_checks.h"
#include "gantry/common/status.h"

namespace gantry::broker {

Status parseResourceLimits(SettingName name, const std::vector<std::string>& items,
                           std::map<std::string, ResourceLimit>& out);

}  // namespace gantry::broker
