#include "gantry/common/setting_checks.h"

namespace gantry {
namespace {

template <typename T>
Status checkBetween(SettingName name, T value, T min, T max) {
  if (value >= min && value <= max) {
    return Status::ok();
  }
  return invalidSetting(name, std::to_string(value),
                        "must be between " + std::to_string(min) + " and " + std::to_string(max));
}

}  // namespace

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

Status checkRange(SettingName name, int64_t value, int64_t min, int64_t max) {
  return checkBetween(name, value, min, max);
}

Status checkRange(SettingName name, uint64_t value, uint64_t min, uint64_t max) {
  return checkBetween(name, value, min, max);
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
