#include "gantry/pg/migrator.h"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "embedded_migrations.h"
#include "gantry/pg/pg_error.h"

namespace gantry::pg {
namespace {

// Serialises migrators (two gantryctl runs, or a deploy racing another)
// for the length of one migration's transaction. Any fixed key works; this
// one spells "gantrymg".
constexpr int64_t kMigrationLockKey = 0x67616e7472796d67;

constexpr const char* kCreateLedger =
    "CREATE TABLE IF NOT EXISTS gantry_schema_migrations ("
    "  version integer PRIMARY KEY,"
    "  name text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now())";

constexpr const char* kMigrateUpCommand = "gantryctl migrate up";

struct AppliedRow {
  std::string name;
  std::string applied_at;
};

// version -> row, read inside `tx`. An absent ledger means an empty schema.
std::map<int, AppliedRow> readLedger(pqxx::transaction_base& tx) {
  std::map<int, AppliedRow> applied;
  const pqxx::row exists = tx.exec1("SELECT to_regclass('gantry_schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>()) {
    return applied;
  }
  const pqxx::result rows = tx.exec(
      "SELECT version, name, to_char(applied_at AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM gantry_schema_migrations ORDER BY version");
  for (const auto& row : rows) {
    applied[row[0].as<int>()] = AppliedRow{row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return applied;
}

// Takes the migration lock and makes sure the ledger exists.
void lockAndPrepare(pqxx::transaction_base& tx) {
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  tx.exec(kCreateLedger);
}

const Migration* findBuiltin(int version) {
  for (const Migration& m : builtinMigrations()) {
    if (m.version == version) {
      return &m;
    }
  }
  return nullptr;
}

int highestVersion(const std::map<int, AppliedRow>& applied) {
  return applied.empty() ? 0 : applied.rbegin()->first;
}

}  // namespace

const std::vector<Migration>& builtinMigrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> all = detail::embeddedMigrations();
    std::sort(all.begin(), all.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return all;
  }();
  return migrations;
}

int requiredSchemaVersion() {
  const auto& all = builtinMigrations();
  return all.empty() ? 0 : all.back().version;
}

Migrator::Migrator(pqxx::connection& connection) : connection_(connection) {}

Result<int> Migrator::currentVersion() {
  try {
    pqxx::read_transaction tx(connection_);
    return highestVersion(readLedger(tx));
  } catch (const std::exception& e) {
    return statusFromException(e, "reading the schema version");
  }
}

Result<std::vector<int>> Migrator::up(int target) {
  const int limit = target < 0 ? requiredSchemaVersion() : target;
  std::vector<int> applied_now;
  try {
    std::map<int, AppliedRow> applied;
    {
      pqxx::read_transaction tx(connection_);
      applied = readLedger(tx);
    }
    if (highestVersion(applied) > requiredSchemaVersion()) {
      return failedPrecondition(
          "the database schema is at version " + std::to_string(highestVersion(applied)) +
          ", newer than this build knows (" + std::to_string(requiredSchemaVersion()) +
          "); use a newer gantryctl");
    }
    for (const Migration& migration : builtinMigrations()) {
      if (migration.version > limit) {
        break;
      }
      if (applied.count(migration.version) != 0) {
        continue;
      }
      pqxx::work tx(connection_);
      lockAndPrepare(tx);
      // Another migrator may have applied it while we waited for the lock.
      if (readLedger(tx).count(migration.version) != 0) {
        tx.abort();
        continue;
      }
      try {
        tx.exec(migration.up_sql);
      } catch (const std::exception& e) {
        return statusFromException(
            e, "migration " + std::to_string(migration.version) + " (" + migration.name + ") up");
      }
      tx.exec_params("INSERT INTO gantry_schema_migrations (version, name) VALUES ($1, $2)",
                     migration.version, migration.name);
      tx.commit();
      applied_now.push_back(migration.version);
    }
  } catch (const std::exception& e) {
    return statusFromException(e, "migrate up");
  }
  return applied_now;
}

Result<std::vector<int>> Migrator::down(int steps) {
  if (steps < 0) {
    return invalidArgument("migrate down: steps must be at least 0, got " + std::to_string(steps));
  }
  std::vector<int> reverted;
  try {
    for (int i = 0; i < steps; ++i) {
      pqxx::work tx(connection_);
      lockAndPrepare(tx);
      const std::map<int, AppliedRow> applied = readLedger(tx);
      if (applied.empty()) {
        tx.abort();
        break;
      }
      const int version = applied.rbegin()->first;
      const Migration* migration = findBuiltin(version);
      if (migration == nullptr) {
        return failedPrecondition("migrate down: version " + std::to_string(version) + " (" +
                                  applied.rbegin()->second.name +
                                  ") is not known to this build; use the build that applied it");
      }
      try {
        tx.exec(migration->down_sql);
      } catch (const std::exception& e) {
        return statusFromException(
            e, "migration " + std::to_string(version) + " (" + migration->name + ") down");
      }
      tx.exec_params("DELETE FROM gantry_schema_migrations WHERE version = $1", version);
      tx.commit();
      reverted.push_back(version);
    }
  } catch (const std::exception& e) {
    return statusFromException(e, "migrate down");
  }
  return reverted;
}

Result<std::vector<MigrationStatus>> Migrator::status() {
  try {
    pqxx::read_transaction tx(connection_);
    const std::map<int, AppliedRow> applied = readLedger(tx);
    std::map<int, MigrationStatus> all;
    for (const Migration& migration : builtinMigrations()) {
      all[migration.version] = MigrationStatus{migration.version, migration.name, false, ""};
    }
    // Versions applied by a newer build show up too, so the operator sees them.
    for (const auto& [version, row] : applied) {
      MigrationStatus& s = all[version];
      s.version = version;
      if (s.name.empty()) {
        s.name = row.name;
      }
      s.applied = true;
      s.applied_at = row.applied_at;
    }
    std::vector<MigrationStatus> out;
    out.reserve(all.size());
    for (auto& [version, s] : all) {
      out.push_back(std::move(s));
    }
    return out;
  } catch (const std::exception& e) {
    return statusFromException(e, "migration status");
  }
}

Status checkSchemaVersion(pqxx::connection& connection) {
  Migrator migrator(connection);
  const Result<int> current = migrator.currentVersion();
  if (!current.isOk()) {
    return current.status();
  }
  const int required = requiredSchemaVersion();
  const int have = current.value();
  if (have == required) {
    return Status::ok();
  }
  if (have == 0) {
    return failedPrecondition("the database has no Gantry schema (this build needs version " +
                              std::to_string(required) + "); run `" + kMigrateUpCommand + "`");
  }
  if (have < required) {
    return failedPrecondition("the database schema is at version " + std::to_string(have) +
                              " but this build needs version " + std::to_string(required) +
                              "; run `" + kMigrateUpCommand + "`");
  }
  return failedPrecondition("the database schema is at version " + std::to_string(have) +
                            ", newer than this build supports (version " +
                            std::to_string(required) +
                            "); upgrade this binary, or revert the schema with the newer "
                            "build's `gantryctl migrate down`");
}

}  // namespace gantry::pg
