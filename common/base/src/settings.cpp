#include "gantry/common/settings.h"

#include <algorithm>
#include <cctype>
#include <ostream>

#include <CLI/CLI.hpp>

#include "gantry/common/secret_mask.h"
#include "setting_entry.h"
#include "setting_text.h"

namespace gantry {
namespace {

using detail::SettingEntry;

// CLI11's help plus each setting's variable, which CLI11 shows only for
// variables it reads itself.
class SettingsFormatter : public CLI::Formatter {
 public:
  SettingsFormatter(const CLI::Formatter& base,
                    std::shared_ptr<const std::map<std::string, std::string, std::less<>>> envs)
      : CLI::Formatter(base), envs_(std::move(envs)) {}

  std::string make_option_opts(const CLI::Option* option) const override {
    std::string out = CLI::Formatter::make_option_opts(option);
    if (auto it = envs_->find(option->get_name()); it != envs_->end()) {
      out += " (Env:" + it->second + ")";
    }
    return out;
  }

 private:
  std::shared_ptr<const std::map<std::string, std::string, std::less<>>> envs_;
};

// CLI11 starts its messages with a capital; ours are lower case.
std::string lowerFirst(std::string message) {
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) != 0 &&
      std::isupper(static_cast<unsigned char>(message[1])) == 0) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  return message;
}

template <typename T>
void bindInteger(SettingEntry& entry, T& field) {
  entry.assign = [&field, &entry](const std::string& text) {
    auto value = detail::parseSettingInteger<T>(text);
    if (!value) {
      return invalidSetting(entry.name(), text, detail::integerRule<T>());
    }
    field = *value;
    return Status::ok();
  };
  entry.render = [&field] { return std::to_string(field); };
}

void bindString(SettingEntry& entry, std::string& field) {
  entry.assign = [&field](const std::string& text) {
    field = text;
    return Status::ok();
  };
  entry.render = [&field] { return field; };
}

void replaceAll(std::string& text, const std::string& secret) {
  if (secret.empty()) {
    return;
  }
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMaskedSecret.size())) {
    text.replace(pos, secret.size(), kMaskedSecret);
  }
}

}  // namespace

const char* settingSourceName(SettingSource source) {
  switch (source) {
    case SettingSource::kDefault:
      return "default";
    case SettingSource::kEnv:
      return "env";
    case SettingSource::kFlag:
      return "flag";
    case SettingSource::kFile:
      return "file";
  }
  return "default";
}

Settings::Settings(CLI::App& app, std::string program)
    : app_(app), program_(std::move(program)), env_names_(std::make_shared<EnvNames>()) {
  const auto* base = dynamic_cast<const CLI::Formatter*>(app_.get_formatter().get());
  app_.formatter(
      std::make_shared<SettingsFormatter>(base != nullptr ? *base : CLI::Formatter(), env_names_));
}

Settings::~Settings() = default;

SettingEntry& Settings::addEntry(SettingName name, const std::string& help,
                                 const std::string& type_name, const std::string& default_text,
                                 bool is_list) {
  auto owned = std::make_unique<SettingEntry>();
  SettingEntry& entry = *owned;
  entries_.push_back(std::move(owned));
  entry.flag = std::string(name.flag);
  entry.env = std::string(name.env);
  if (!entry.env.empty()) {
    (*env_names_)[entry.flag] = entry.env;
  }
  // A list binds to a vector: CLI11 then takes repeats and several values.
  entry.is_list = is_list;
  entry.option = is_list ? app_.add_option(entry.flag, entry.flag_items, help)
                         : app_.add_option(entry.flag, entry.flag_text, help);
  entry.option->type_name(type_name);
  if (!default_text.empty()) {
    entry.option->default_str(default_text);
  }
  return entry;
}

void Settings::add(SettingName name, std::string& field, const std::string& help) {
  bindString(addEntry(name, help, "TEXT", field, false), field);
}

void Settings::add(SettingName name, uint32_t& field, const std::string& help) {
  bindInteger(addEntry(name, help, "UINT", std::to_string(field), false), field);
}

void Settings::add(SettingName name, uint64_t& field, const std::string& help) {
  bindInteger(addEntry(name, help, "UINT", std::to_string(field), false), field);
}

void Settings::add(SettingName name, int64_t& field, const std::string& help) {
  bindInteger(addEntry(name, help, "INT", std::to_string(field), false), field);
}

void Settings::add(SettingName name, std::vector<std::string>& field, const std::string& help,
                   char separator) {
  SettingEntry& entry =
      addEntry(name, help, "TEXT", detail::joinItems(field, separator), /*is_list=*/true);
  if (separator != ' ') {
    entry.option->delimiter(separator);
  }
  entry.separator = separator;
  entry.assign_items = [&field](std::vector<std::string> items) { field = std::move(items); };
  entry.render = [&field, separator] { return detail::joinItems(field, separator); };
}

void Settings::addSecret(SettingName name, std::string& field, const std::string& help,
                         SecretForm form) {
  // No default text: --help must not show a secret that is already set.
  SettingEntry& entry =
      addEntry(name, help, form == SecretForm::kConnectionString ? "URL" : "TEXT", "", false);
  bindString(entry, field);
  entry.secret = true;
  entry.form = form;
  entry.file_flag = entry.flag + "-file";
  entry.file_env = entry.env.empty() ? std::string() : entry.env + "_FILE";
  if (!entry.file_env.empty()) {
    (*env_names_)[entry.file_flag] = entry.file_env;
  }
  entry.file_option =
      app_.add_option(entry.file_flag, entry.file_path,
                      "File holding the value of " + entry.flag + " (for secrets mounted as files)")
          ->type_name("PATH");
}

void Settings::addPrintConfig() {
  app_.add_flag("--print-config", print_config_,
                "Print every setting's value and source (default, env, flag or file), secrets "
                "masked, and exit without starting");
}

Status Settings::resolve() {
  for (const auto& entry : entries_) {
    if (Status s = detail::resolveSetting(*entry); !s.isOk()) {
      return s;
    }
  }
  return Status::ok();
}

SettingSource Settings::source(std::string_view flag) const {
  for (const auto& entry : entries_) {
    if (entry->flag == flag) {
      return entry->source;
    }
  }
  return SettingSource::kDefault;
}

bool Settings::printConfigRequested() const { return print_config_; }

std::string Settings::printConfig() const {
  size_t name_width = 0;
  size_t value_width = 0;
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& entry : entries_) {
    std::string value = entry->shown();
    rows.emplace_back(entry->flag.substr(2), value.empty() ? "\"\"" : std::move(value));
    name_width = std::max(name_width, rows.back().first.size());
    value_width = std::max(value_width, rows.back().second.size());
  }
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& [name, value] = rows[i];
    out += name + std::string(name_width - name.size(), ' ') + " = " + value +
           std::string(value_width - value.size(), ' ') + "  (" +
           settingSourceName(entries_[i]->source) + ")\n";
  }
  return out;
}

std::string Settings::scrub(std::string_view text) const {
  std::string out = maskConnectionSecrets(text);
  for (const auto& entry : entries_) {
    if (!entry->secret) {
      continue;
    }
    // What was typed (also before resolve(), as when parsing failed) and
    // what the field holds. A password alone is not replaced: a short one
    // ("gantry") would garble every message that names the user or database.
    std::vector<std::string> values = entry->option->results();
    values.push_back(entry->render());
    for (const auto& value : values) {
      replaceAll(out, value);
    }
  }
  return out;
}

std::optional<int> Settings::parseCommandLine(int argc, const char* const* argv,
                                              const std::function<Status()>& validate,
                                              std::ostream& out, std::ostream& err) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is an "error" whose exit code is success.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app_.exit(e, out, err);
      return 0;
    }
    err << program_ << ": " << scrub(lowerFirst(e.what())) << "; run " << program_ << " --help\n";
    return kExitBadConfig;
  }
  if (Status s = resolve(); !s.isOk()) {
    err << program_ << ": " << scrub(s.message()) << "\n";
    return kExitBadConfig;
  }
  if (print_config_) {
    out << printConfig() << std::flush;
  }
  if (Status s = validate ? validate() : Status::ok(); !s.isOk()) {
    err << program_ << ": " << scrub(s.message()) << "\n";
    return kExitBadConfig;
  }
  if (print_config_) {
    return 0;
  }
  return std::nullopt;
}

}  // namespace gantry
