#include "gantry/common/setting_checks.h"

namespace gantry {

std::string describeSetting(SettingName name) {
  std::string out(name.flag);
  if (!name.env.empty()) {
    out += " (";
    out += name.env;
    out += ")";
  }
  return out;
}

Status settingError(SettingName name, std::string_view problem) {
  return invalidArgument(describeSetting(name) + ": " + std::string(problem));
}

Status invalidSetting(SettingName name, std::string_view shown, std::string_view rule) {
  return settingError(name, "'" + std::string(shown) + "' " + std::string(rule));
}

Status checkOneOf(SettingName name, std::string_view value,
                  std::span<const std::string_view> allowed) {
  std::string choices;
  for (const std::string_view choice : allowed) {
    if (choice == value) {
      return Status::ok();
    }
    choices += (choices.empty() ? "" : "|") + std::string(choice);
  }
  return invalidSetting(name, value, "must be one of " + choices);
}

}  // namespace gantry
