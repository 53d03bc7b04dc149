// gantryctl migrate up|down|status: the schema, straight against Postgres
// (the broker need not run; it refuses to start on a schema it does not
// expect, and this is the command its error message names).
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <ostream>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/connection>

#include "gantry/pg/migrator.h"
#include "gantry/tools/command.h"
#include "gantry/tools/table.h"

namespace gantry::tools {
namespace {

struct MigrateFlags {
  std::string database_url;
  std::string database_url_file;
  int to = -1;
  int steps = 1;
};

enum class Action { kUp, kDown, kStatus };

// Versions and step counts are ints, like the migrator's.
constexpr int64_t kMaxVersion = std::numeric_limits<int>::max();

// The connection string from --database-url / DATABASE_URL, or from the
// file named by --database-url-file / DATABASE_URL_FILE.
Result<std::string> databaseUrl(const MigrateFlags& flags) {
  if (!flags.database_url.empty()) {
    return flags.database_url;
  }
  if (flags.database_url_file.empty()) {
    return invalidArgument(
        "no database given: set --database-url or DATABASE_URL (e.g. "
        "postgresql://gantry@localhost/gantry), or DATABASE_URL_FILE");
  }
  std::ifstream file(flags.database_url_file);
  if (!file) {
    return invalidArgument("cannot read database URL file '" + flags.database_url_file + "'");
  }
  std::string url(std::istreambuf_iterator<char>(file), {});
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r' || url.back() == ' ')) {
    url.pop_back();
  }
  if (url.empty()) {
    return invalidArgument("database URL file '" + flags.database_url_file + "' is empty");
  }
  return url;
}

std::string migrationName(int version) {
  for (const auto& m : pg::builtinMigrations()) {
    if (m.version == version) {
      return m.name;
    }
  }
  return "?";
}

nlohmann::json versionsToJson(const std::vector<int>& versions) {
  nlohmann::json out = nlohmann::json::array();
  for (const int v : versions) {
    out.push_back({{"version", v}, {"name", migrationName(v)}});
  }
  return out;
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
                     {"applied_at", row.applied ? nlohmann::json(row.applied_at) : nullptr}});
    }
    ctx.printJson({{"migrations", std::move(out)},
                   {"required_version", pg::requiredSchemaVersion()}});
    return toInt(ExitCode::kOk);
  }
  Table table({"VERSION", "NAME", "STATE", "APPLIED AT"});
  table.alignRight(0);
  int pending = 0;
  for (const auto& row : *rows) {
    pending += row.applied ? 0 : 1;
    table.addRow({std::to_string(row.version), row.name, row.applied ? "applied" : "pending",
                  row.applied ? row.applied_at : "-"});
  }
  ctx.out() << table.render();
  if (pending > 0) {
    ctx.err() << pending << " pending; run: gantryctl migrate up\n";
  }
  return toInt(ExitCode::kOk);
}

int runMigrate(CommandContext& ctx, const MigrateFlags& flags, Action action) {
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
        return ctx.fail("migrate up", applied.status(), Peer::kDatabase);
      }
      return printChanges(ctx, migrator, "applied", *applied);
    }
    case Action::kDown: {
      auto reverted = migrator.down(flags.steps);
      if (!reverted.isOk()) {
        return ctx.fail("migrate down", reverted.status(), Peer::kDatabase);
      }
      return printChanges(ctx, migrator, "reverted", *reverted);
    }
    case Action::kStatus: return printStatus(ctx, migrator);
  }
  return toInt(ExitCode::kFailed);
}

}  // namespace

void addMigrateCommand(CLI::App& app, CommandList& commands) {
  auto flags = std::make_shared<MigrateFlags>();
  CLI::App* migrate = app.add_subcommand("migrate", "apply, revert or show schema migrations");
  migrate->require_subcommand(1);
  migrate->fallthrough();
  migrate->add_option("--database-url", flags->database_url, "Postgres connection string or URL")
      ->envname("DATABASE_URL")
      ->type_name("URL");
  // Not exclusive with --database-url: DATABASE_URL in the environment would
  // then make the file flag unusable. The URL wins when both are set.
  migrate->add_option("--database-url-file", flags->database_url_file,
                      "file holding the connection string (used when no URL is set)")
      ->envname("DATABASE_URL_FILE")
      ->type_name("PATH");

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
  commands.push_back({status, [flags](CommandContext& ctx) {
                        return runMigrate(ctx, *flags, Action::kStatus);
                      }});
}

}  // namespace gantry::tools
