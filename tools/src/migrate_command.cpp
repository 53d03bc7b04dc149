// gantryctl migrate up|down|status: the schema, straight against Postgres
// (the broker need not run; it refuses to start on a schema it does not
// expect, and this is the command its error message names).
#include <limits>
#include <memory>
#include <ostream>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/connection>

#include "gantry/common/settings.h"
#include "gantry/pg/migrator.h"
#include "gantry/pg/pg_error.h"
#include "gantry/tools/command.h"
#include "gantry/tools/table.h"

namespace gantry::tools {
namespace {

constexpr SettingName kDatabaseUrl{"--database-url", "DATABASE_URL"};

struct MigrateFlags {
  std::string database_url;
  int to = -1;
  int steps = 1;
  // The database URL as a secret: from --database-url, DATABASE_URL, or a
  // file named by --database-url-file / DATABASE_URL_FILE.
  std::unique_ptr<Settings> settings;
};

enum class Action { kUp, kDown, kStatus };

// Versions and step counts are ints, like the migrator's.
constexpr int64_t kMaxVersion = std::numeric_limits<int>::max();

// The connection string, from the flag, its variable or its file (the
// rules of every secret: settings.h).
Result<std::string> databaseUrl(MigrateFlags& flags) {
  if (Status s = flags.settings->resolve(); !s.isOk()) {
    return s;
  }
  if (flags.database_url.empty()) {
    return invalidArgument(
        "no database given: set --database-url or DATABASE_URL (e.g. "
        "postgresql://gantry@localhost/gantry), or name a file holding it with "
        "--database-url-file or DATABASE_URL_FILE");
  }
  // Found before contacting anything, so a usage error; not quoted, as what
  // libpq cannot parse may hold the password anywhere.
  if (!pg::isWellFormedConninfo(flags.database_url)) {
    return settingError(kDatabaseUrl,
                        "the value is not a libpq connection string (key=value pairs) or "
                        "postgresql:// URL");
  }
  return flags.database_url;
}

// The built-in migration with this version, or nullptr for one this build
// does not know: a newer build applied it.
const pg::Migration* builtinMigration(int version) {
  for (const auto& m : pg::builtinMigrations()) {
    if (m.version == version) {
      return &m;
    }
  }
  return nullptr;
}

std::string migrationName(int version) {
  const pg::Migration* migration = builtinMigration(version);
  return migration == nullptr ? "?" : migration->name;
}

// For versions applied by a newer build: this binary and a broker of the
// same build will not work with the schema, and must not revert it.
std::string newerSchemaWarning(const std::vector<int>& unknown) {
  std::string versions;
  for (const int v : unknown) {
    versions += (versions.empty() ? "" : ", ") + std::to_string(v);
  }
  return (unknown.size() == 1 ? "version " + versions + " is" : "versions " + versions + " are") +
         " applied but unknown to this build: this gantryctl (schema version " +
         std::to_string(pg::requiredSchemaVersion()) +
         ") is older than the database schema; use the newer gantryctl that applied it\n";
}

nlohmann::json versionsToJson(const std::vector<int>& versions) {
  nlohmann::json out = nlohmann::json::array();
  for (const int v : versions) {
    out.push_back({{"version", v}, {"name", migrationName(v)}});
  }
  return out;
}

// The migrator starts some messages with the operation ("migrate down:
// version 4 ... is not known"); the command is already named in front of
// the message, so it is not said twice.
int failMigration(CommandContext& ctx, std::string_view command, const Status& status) {
  const std::string prefix = std::string(command) + ": ";
  if (status.message().rfind(prefix, 0) == 0) {
    return ctx.fail(command, Status(status.code(), status.message().substr(prefix.size())),
                    Peer::kDatabase);
  }
  return ctx.fail(command, status, Peer::kDatabase);
}

int printChanges(CommandContext& ctx, pg::Migrator& migrator, const char* verb,
                 const std::vector<int>& versions) {
  auto current = migrator.currentVersion();
  if (!current.isOk()) {
    return ctx.fail("migrate", current.status(), Peer::kDatabase);
  }
  if (ctx.json()) {
    ctx.printJson({{verb, versionsToJson(versions)},
                   {"version", *current},
                   {"required_version", pg::requiredSchemaVersion()}});
    return toInt(ExitCode::kOk);
  }
  for (const int v : versions) {
    ctx.out() << verb << " " << v << " " << migrationName(v) << "\n";
  }
  if (versions.empty()) {
    ctx.out() << "nothing " << (std::string_view(verb) == "applied" ? "to apply" : "to revert")
              << "\n";
  }
  ctx.out() << "schema version " << *current << " (this build requires "
            << pg::requiredSchemaVersion() << ")\n";
  return toInt(ExitCode::kOk);
}

bool isKnown(int version) { return builtinMigration(version) != nullptr; }

// Human status: one row per migration; pending ones get a hint on stderr.
void printStatusTable(CommandContext& ctx, const std::vector<pg::MigrationStatus>& rows) {
  Table table({"VERSION", "NAME", "STATE", "APPLIED AT"});
  table.alignRight(0);
  int pending = 0;
  for (const auto& row : rows) {
    pending += row.applied ? 0 : 1;
    const char* state = !row.applied           ? "pending"
                        : isKnown(row.version) ? "applied"
                                               : "applied, unknown to this build";
    table.addRow(
        {std::to_string(row.version), row.name, state, row.applied ? row.applied_at : "-"});
  }
  ctx.out() << table.render();
  if (pending > 0) {
    ctx.err() << pending << " pending; run: gantryctl migrate up\n";
  }
}

int printStatus(CommandContext& ctx, pg::Migrator& migrator) {
  auto rows = migrator.status();
  if (!rows.isOk()) {
    return ctx.fail("migrate", rows.status(), Peer::kDatabase);
  }
  if (ctx.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) {
      out.push_back({{"version", row.version},
                     {"name", row.name},
                     {"applied", row.applied},
                     {"applied_at", row.applied ? nlohmann::json(row.applied_at) : nullptr},
                     {"known", isKnown(row.version)}});
    }
    ctx.printJson(
        {{"migrations", std::move(out)}, {"required_version", pg::requiredSchemaVersion()}});
  } else {
    printStatusTable(ctx, *rows);
  }
  // Said in both forms: a warning, not a hint, as this build cannot work
  // with the schema.
  std::vector<int> unknown;
  for (const auto& row : *rows) {
    if (!isKnown(row.version)) {
      unknown.push_back(row.version);
    }
  }
  if (!unknown.empty()) {
    ctx.err() << newerSchemaWarning(unknown);
  }
  return toInt(ExitCode::kOk);
}

int runMigrate(CommandContext& ctx, MigrateFlags& flags, Action action) {
  auto url = databaseUrl(flags);
  if (!url.isOk()) {
    return ctx.usageError("migrate", url.status().message());
  }
  auto connection = pg::openConnection(*url);
  if (!connection.isOk()) {
    return ctx.fail("migrate", connection.status(), Peer::kDatabase);
  }
  pg::Migrator migrator(**connection);
  switch (action) {
    case Action::kUp: {
      auto applied = migrator.up(flags.to);
      if (!applied.isOk()) {
        return failMigration(ctx, "migrate up", applied.status());
      }
      return printChanges(ctx, migrator, "applied", *applied);
    }
    case Action::kDown: {
      auto reverted = migrator.down(flags.steps);
      if (!reverted.isOk()) {
        return failMigration(ctx, "migrate down", reverted.status());
      }
      return printChanges(ctx, migrator, "reverted", *reverted);
    }
    case Action::kStatus:
      return printStatus(ctx, migrator);
  }
  return toInt(ExitCode::kFailed);
}

}  // namespace

void addMigrateCommand(CLI::App& app, CommandList& commands) {
  auto flags = std::make_shared<MigrateFlags>();
  CLI::App* migrate = app.add_subcommand("migrate", "apply, revert or show schema migrations");
  migrate->require_subcommand(1);
  migrate->fallthrough();
  flags->settings = std::make_unique<Settings>(*migrate, "gantryctl migrate");
  flags->settings->addSecret(kDatabaseUrl, flags->database_url, "Postgres connection string or URL",
                             SecretForm::kConnectionString);

  CLI::App* up = migrate->add_subcommand("up", "apply pending migrations");
  up->add_option("--to", flags->to, "stop at this version (default: the latest)")
      ->type_name("VERSION")
      ->transform(checkInteger({1, kMaxVersion, "a migration version (an integer >= 1)"}));
  commands.push_back(
      {up, [flags](CommandContext& ctx) { return runMigrate(ctx, *flags, Action::kUp); }});

  CLI::App* down = migrate->add_subcommand("down", "revert the most recent migrations");
  down->add_option("--steps", flags->steps, "how many to revert")
      ->transform(checkInteger({1, kMaxVersion, "an integer >= 1"}))
      ->capture_default_str();
  commands.push_back(
      {down, [flags](CommandContext& ctx) { return runMigrate(ctx, *flags, Action::kDown); }});

  CLI::App* status =
      migrate->add_subcommand("status", "show every migration and whether it is applied");
  commands.push_back(
      {status, [flags](CommandContext& ctx) { return runMigrate(ctx, *flags, Action::kStatus); }});
}

}  // namespace gantry::tools
