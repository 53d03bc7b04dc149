// A process's settings, read once at start from command-line flags, their
// environment variables and, for secrets, files. Built on CLI11, which only
// splits the command line and prints --help; Settings reads the variables
// and files itself, so it knows where every value came from (CLI11 reports
// a value from a variable as if it had been typed), converts every value
// with one-line errors in the setting_checks.h wording, and keeps secrets
// out of --help, errors and --print-config.
//
// Rules for every process:
//   - a flag wins over its variable; an empty variable counts as unset;
//   - a secret may also come from a file, named by "<flag>-file" or
//     "<VARIABLE>_FILE"; the value is the file's content without one
//     trailing newline. The flag form wins over the variable form as above;
//     giving the value and its file in the same form (both flags, or both
//     variables) is an error, as one of them is a mistake;
//   - bad configuration exits with kExitBadConfig after one line on stderr.
//
// Usage, in main:
//   CLI::App app{"gantry-worker: ..."};
//   Settings settings(app, "gantry-worker");
//   settings.add({"--concurrency", "GANTRY_CONCURRENCY"}, config.concurrency, "Jobs at once");
//   settings.addPrintConfig();
//   if (auto code = settings.parseCommandLine(argc, argv, validate, std::cout, std::cerr)) {
//     return *code;
//   }
//
// Thread-compatible; used by main before other threads start.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/setting_checks.h"
#include "gantry/common/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace gantry {
namespace detail {
struct SettingEntry;  // one registered setting (internal)
}  // namespace detail

// The exit code of every Gantry process for a bad command line or bad
// configuration, found before anything was started or contacted.
inline constexpr int kExitBadConfig = 2;

// Where a setting's value came from.
enum class SettingSource { kDefault, kEnv, kFlag, kFile };
// "default", "env", "flag", "file".
const char* settingSourceName(SettingSource source);

// How a secret is shown.
enum class SecretForm {
  kOpaque,            // kMaskedSecret when set (API keys, tokens)
  kConnectionString,  // a libpq connection string with only its password masked
};

class Settings {
 public:
  // Registers settings on `app` (flags, and a --help that names each
  // variable). `program` starts every message: "gantry-broker".
  // REQUIRES: `app` and every field bound by add*() outlive this object.
  Settings(CLI::App& app, std::string program);
  ~Settings();
  Settings(const Settings&) = delete;
  Settings& operator=(const Settings&) = delete;

  // A setting bound to `field`, whose current value is the default shown by
  // --help and --print-config. `name.env` may be empty (flag only).
  void add(SettingName name, std::string& field, const std::string& help);
  void add(SettingName name, uint32_t& field, const std::string& help);
  void add(SettingName name, uint64_t& field, const std::string& help);
  void add(SettingName name, int64_t& field, const std::string& help);
  // A list. The flag repeats or takes several values; the variable holds
  // the items separated by `separator`, which also splits each flag value
  // unless it is ' ' (then any whitespace separates items in the variable).
  // Empty items are dropped.
  void add(SettingName name, std::vector<std::string>& field, const std::string& help,
           char separator = ' ');
  // A secret string, also readable from a file (see above). --help shows no
  // default for it and --print-config shows it as `form` says.
  void addSecret(SettingName name, std::string& field, const std::string& help,
                 SecretForm form = SecretForm::kOpaque);
  // The --print-config flag.
  void addPrintConfig();

  // After CLI11 parsed the command line: fills each field from its flag,
  // else its variable, else (secrets) its file, else leaves the default;
  // the first problem as one line (bad number, unreadable file, value and
  // file both given). REQUIRES: called once.
  Status resolve();

  // REQUIRES: resolve() succeeded and `flag` was registered.
  SettingSource source(std::string_view flag) const;
  bool printConfigRequested() const;
  // One line per setting, "name = value  (source)", aligned, in the order
  // they were added; secrets masked.
  std::string printConfig() const;
  // `text` with every secret's whole value, and the password of any
  // connection string in it, replaced by kMaskedSecret: for messages that
  // may quote what was given.
  std::string scrub(std::string_view text) const;

  // The whole start: CLI11 parse, resolve(), --help, --print-config, then
  // `validate` (which checks the fields and returns a setting_checks.h
  // error). Returns the exit code when the process must stop now (0 after
  // --help or a valid --print-config, kExitBadConfig after one line
  // "<program>: <problem>" on `err`), or nullopt to go on and start.
  // --print-config prints to `out` before validating, so it also shows a
  // configuration it then refuses.
  std::optional<int> parseCommandLine(int argc, const char* const* argv,
                                      const std::function<Status()>& validate, std::ostream& out,
                                      std::ostream& err);

 private:
  using Entry = detail::SettingEntry;
  using EnvNames = std::map<std::string, std::string, std::less<>>;

  // A new entry and its CLI11 option; the caller binds the field.
  Entry& addEntry(SettingName name, const std::string& help, const std::string& type_name,
                  const std::string& default_text, bool is_list);

  CLI::App& app_;
  std::string program_;
  std::vector<std::unique_ptr<Entry>> entries_;
  // Flag -> variable, for --help.
  std::shared_ptr<EnvNames> env_names_;
  bool print_config_ = false;
};

}  // namespace gantry
