// Versioned schema migrations. The SQL lives in db/migrations as
// NNNN_name.up.sql / NNNN_name.down.sql and is compiled into the binary, so
// gantryctl and the broker always agree on what "current" means. Each
// migration runs in its own transaction and is recorded in
// gantry_schema_migrations. Not thread-safe; one Migrator per connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gantry/common/status.h"
#include "gantry/pg/pqxx_fwd.h"

namespace gantry::pg {

struct Migration {
  int version = 0;
  std::string name;
  std::string up_sql;
  std::string down_sql;
};

// All migrations built into this binary, ascending by version.
const std::vector<Migration>& builtinMigrations();
// The version this build needs (the highest built-in one).
int requiredSchemaVersion();

struct MigrationStatus {
  int version = 0;
  std::string name;
  bool applied = false;
  std::string applied_at;  // empty when not applied
};

class Migrator {
 public:
  // REQUIRES: connection outlives the Migrator.
  explicit Migrator(pqxx::connection& connection);

  // The highest applied version, 0 for an empty database.
  Result<int> currentVersion();
  // Applies every pending migration up to `target` (default: all), each in
  // its own transaction under an advisory lock, so concurrent migrators
  // apply each version once. Returns the versions applied, in order.
  // kFailedPrecondition when the database is at a version newer than this
  // build knows.
  Result<std::vector<int>> up(int target = -1);
  // Reverts the `steps` most recent migrations, newest first. Returns the
  // versions reverted (fewer when fewer are applied). kFailedPrecondition
  // for an applied version this build does not know.
  Result<std::vector<int>> down(int steps = 1);
  // Every built-in migration plus any applied version this build does not
  // know, ascending by version; applied_at is UTC ISO 8601.
  Result<std::vector<MigrationStatus>> status();

 private:
  pqxx::connection& connection_;
};

// Opens a connection; kUnavailable with a message that names the target
// (never the password) when it fails, kInvalidArgument when `conninfo` is
// malformed. The connection never reconnects by itself (libpqxx 6 would,
// silently losing session state): after a connection loss, open a new one.
// Callers that own the result include <pqxx/connection>.
Result<std::unique_ptr<pqxx::connection>> openConnection(const std::string& conninfo);

// The check every server runs at start: ok when the schema is exactly at
// requiredSchemaVersion(), otherwise kFailedPrecondition naming the command
// to run (`gantryctl migrate up`) or, for a newer schema, the mismatch.
Status checkSchemaVersion(pqxx::connection& connection);

}  // namespace gantry::pg
