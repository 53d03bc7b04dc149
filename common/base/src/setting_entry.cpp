#include "setting_entry.h"

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "gantry/common/secret_mask.h"
#include "setting_text.h"

namespace gantry::detail {
namespace {

// The variable's value; "" when `name` is empty or the variable unset.
std::string envValue(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  return value == nullptr ? std::string() : std::string(value);
}

// Fills `entry` from a file named by its file flag or variable; false when
// neither names one that applies (see the rules in settings.h).
Result<bool> resolveFromFile(SettingEntry& entry, bool flag_given, bool env_set) {
  const bool file_flag_given = entry.file_option->count() > 0;
  const std::string file_env_value = envValue(entry.file_env);
  if (flag_given && file_flag_given) {
    return invalidArgument(entry.flag + " and " + entry.file_flag +
                           " are both given; give one of them");
  }
  if (!flag_given && !file_flag_given && env_set && !file_env_value.empty()) {
    return invalidArgument(entry.env + " and " + entry.file_env + " are both set; set one of them");
  }
  std::string path;
  if (file_flag_given) {
    path = entry.file_path;
  } else if (!flag_given && !env_set && !file_env_value.empty()) {
    path = file_env_value;
  } else {
    return false;
  }
  auto content = readSecretFile(path);
  if (!content.isOk()) {
    return settingError(entry.fileName(), content.status().message());
  }
  entry.source = SettingSource::kFile;
  if (Status s = entry.assign(*content); !s.isOk()) {
    return s;
  }
  return true;
}

}  // namespace

Status resolveSetting(SettingEntry& entry) {
  const bool flag_given = entry.option->count() > 0;
  const std::string env_value = envValue(entry.env);
  if (entry.secret) {
    auto from_file = resolveFromFile(entry, flag_given, !env_value.empty());
    if (!from_file.isOk() || *from_file) {
      return from_file.status();
    }
  }
  if (flag_given) {
    entry.source = SettingSource::kFlag;
    if (entry.is_list) {
      entry.assign_items(entry.flag_items);
      return Status::ok();
    }
    return entry.assign(entry.flag_text);
  }
  if (!env_value.empty()) {
    entry.source = SettingSource::kEnv;
    if (entry.is_list) {
      entry.assign_items(splitItems(env_value, entry.separator));
      return Status::ok();
    }
    return entry.assign(env_value);
  }
  entry.source = SettingSource::kDefault;
  return Status::ok();
}

std::string SettingEntry::shown() const {
  std::string value = render();
  if (!secret) {
    return value;
  }
  return form == SecretForm::kConnectionString ? maskConnectionSecrets(value) : maskSecret(value);
}

}  // namespace gantry::detail
