// gantryctl migrate against a throwaway Postgres: the command needs no
// broker, only a database.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "gantry/pg/migrator.h"
#include "gantry/tools/cli.h"
#include "support/test_postgres.h"

namespace gantry::tools {
namespace {

struct MigrateRun {
  int code = -1;
  std::string out;
  std::string err;
};

MigrateRun migrate(std::vector<std::string> args) {
  args.insert(args.begin(), {"gantryctl", "migrate"});
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  MigrateRun result;
  result.code = runCli(args, in, out, err, SystemClock::instance());
  result.out = out.str();
  result.err = err.str();
  return result;
}

int versionIn(const std::string& json_text) {
  return nlohmann::json::parse(json_text)["version"].get<int>();
}

// A database at this build's schema plus one version a newer build applied.
std::string databaseFromANewerBuild() {
  std::string url = test::TestPostgres::shared().createDatabase();
  EXPECT_EQ(migrate({"up", "--database-url", url}).code, 0);
  auto connection = pg::openConnection(url);
  EXPECT_TRUE(connection.isOk()) << connection.status().toString();
  pqxx::work tx(**connection);
  tx.exec_params("INSERT INTO gantry_schema_migrations (version, name) VALUES ($1, $2)",
                 pg::requiredSchemaVersion() + 1, "from_a_newer_build");
  tx.commit();
  return url;
}

TEST(MigrateCommand, UpAppliesEverythingStatusShowsItDownRevertsOneStep) {
  const std::string url = test::TestPostgres::shared().createDatabase();
  const int required = pg::requiredSchemaVersion();

  MigrateRun up = migrate({"up", "--database-url", url, "--json"});
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_EQ(versionIn(up.out), required);
  EXPECT_EQ(nlohmann::json::parse(up.out)["applied"].size(), pg::builtinMigrations().size());

  MigrateRun again = migrate({"up", "--database-url", url});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "nothing to apply\nschema version " + std::to_string(required) +
                           " (this build requires " + std::to_string(required) + ")\n");

  MigrateRun status = migrate({"status", "--database-url", url});
  ASSERT_EQ(status.code, 0) << status.err;
  EXPECT_NE(status.out.find("applied"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("pending"), std::string::npos) << status.out;

  MigrateRun down = migrate({"down", "--database-url", url, "--json"});
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(versionIn(down.out), required - 1);
  EXPECT_EQ(nlohmann::json::parse(down.out)["reverted"][0]["version"], required);

  MigrateRun pending = migrate({"status", "--database-url", url});
  ASSERT_EQ(pending.code, 0) << pending.err;
  EXPECT_NE(pending.out.find("pending"), std::string::npos) << pending.out;
  EXPECT_NE(pending.err.find("gantryctl migrate up"), std::string::npos) << pending.err;
}

TEST(MigrateCommand, DownOfAVersionFromANewerBuildNamesTheCommandOnce) {
  const std::string url = databaseFromANewerBuild();
  const std::string newer = std::to_string(pg::requiredSchemaVersion() + 1);

  MigrateRun down = migrate({"down", "--database-url", url});

  EXPECT_EQ(down.code, 1);
  EXPECT_EQ(down.err, "gantryctl migrate down: version " + newer +
                          " (from_a_newer_build) is not known to this build; use the build that "
                          "applied it\n");
}

TEST(MigrateCommand, StatusShowsAVersionFromANewerBuildAsUnknown) {
  const std::string url = databaseFromANewerBuild();
  const int required = pg::requiredSchemaVersion();
  const std::string warning = "version " + std::to_string(required + 1) +
                              " is applied but unknown to this build: this gantryctl (schema "
                              "version " +
                              std::to_string(required) +
                              ") is older than the database schema; use the newer gantryctl "
                              "that applied it\n";

  MigrateRun human = migrate({"status", "--database-url", url});
  ASSERT_EQ(human.code, 0) << human.err;
  EXPECT_NE(human.out.find(std::to_string(required) + "  " + pg::builtinMigrations().back().name),
            std::string::npos)
      << human.out;
  EXPECT_NE(human.out.find(std::to_string(required + 1) +
                           "  from_a_newer_build  applied, unknown to this build"),
            std::string::npos)
      << human.out;
  EXPECT_EQ(human.err, warning);

  MigrateRun json = migrate({"status", "--database-url", url, "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  const auto migrations = nlohmann::json::parse(json.out)["migrations"];
  ASSERT_EQ(migrations.size(), pg::builtinMigrations().size() + 1) << json.out;
  for (size_t i = 0; i + 1 < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i]["known"], true) << migrations[i];
  }
  EXPECT_EQ(migrations.back()["version"], required + 1);
  EXPECT_EQ(migrations.back()["applied"], true);
  EXPECT_EQ(migrations.back()["known"], false);
  EXPECT_EQ(json.err, warning);
}

TEST(MigrateCommand, UrlFromAFileWithATrailingNewlineConnects) {
  const std::string url = test::TestPostgres::shared().createDatabase();
  char path[] = "/tmp/gantry-db-url-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << url << "\n";
  ::unsetenv("DATABASE_URL");
  ::setenv("DATABASE_URL_FILE", path, 1);
  MigrateRun r = migrate({"up"});
  ::unsetenv("DATABASE_URL_FILE");
  std::remove(path);
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(MigrateCommand, UnreachableDatabaseExitsThree) {
  MigrateRun r =
      migrate({"status", "--database-url", "host=/nonexistent-gantry-socket-dir port=1 dbname=x"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("DATABASE_URL"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace gantry::tools
