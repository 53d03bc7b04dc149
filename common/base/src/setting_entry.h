// One registered setting and how its value is found (internal to
// gantry_common: the parts of Settings below its public interface).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gantry/common/settings.h"

namespace CLI {
class Option;
}  // namespace CLI

namespace gantry::detail {

// What Settings keeps per setting; owned by Settings, bound to one field.
struct SettingEntry {
  // Owned copies: name() hands out views of them.
  std::string flag;
  std::string env;
  std::string file_flag;  // secrets only
  std::string file_env;
  bool secret = false;
  SecretForm form = SecretForm::kOpaque;
  bool is_list = false;
  char separator = ' ';
  CLI::Option* option = nullptr;
  CLI::Option* file_option = nullptr;
  // What CLI11 bound from the command line.
  std::string flag_text;
  std::vector<std::string> flag_items;
  std::string file_path;
  SettingSource source = SettingSource::kDefault;
  // Stores a scalar given as text into the field (lists use assign_items).
  std::function<Status(const std::string& text)> assign;
  std::function<void(std::vector<std::string> items)> assign_items;
  // The field's value as text, unmasked.
  std::function<std::string()> render;

  SettingName name() const { return {flag, env}; }
  SettingName fileName() const { return {file_flag, file_env}; }
  // The value as it may be shown: a secret masked.
  std::string shown() const;
};

// Fills the entry's field from its flag, else its variable, else (secrets)
// its file, and records the source; the first problem as one line. The
// rules are those of settings.h.
Status resolveSetting(SettingEntry& entry);

}  // namespace gantry::detail
