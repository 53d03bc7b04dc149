// gantry::pg: the embedded migrations, the Migrator against a real
// database, the schema check servers run at start, and connection errors.
#include "gantry/pg/migrator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/connection>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gantry/pg/pg_error.h"
#include "support/test_postgres.h"

namespace gantry::pg {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<int> allVersions() {
  std::vector<int> versions;
  for (const Migration& m : builtinMigrations()) {
    versions.push_back(m.version);
  }
  return versions;
}

TEST(BuiltinMigrations, AreAscendingCompleteAndEndAtTheRequiredVersion) {
  const auto& migrations = builtinMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, 1);
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_GT(migrations[i].version, i == 0 ? 0 : migrations[i - 1].version);
    EXPECT_FALSE(migrations[i].name.empty());
    EXPECT_FALSE(migrations[i].up_sql.empty());
    EXPECT_FALSE(migrations[i].down_sql.empty());
  }
  EXPECT_EQ(requiredSchemaVersion(), migrations.back().version);
}

// The build embeds db/migrations; a stale or altered copy would make the
// binary disagree with the repository about what "current" means.
TEST(BuiltinMigrations, MatchTheSqlFilesByteForByte) {
  const fs::path dir = fs::path(GANTRY_SOURCE_DIR) / "db" / "migrations";
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sql") {
      files.insert(entry.path().filename().string());
    }
  }
  EXPECT_EQ(files.size(), 2 * builtinMigrations().size());
  for (const Migration& m : builtinMigrations()) {
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%04d", m.version);
    const std::string base = std::string(prefix) + "_" + m.name;
    EXPECT_EQ(m.up_sql, readFile(dir / (base + ".up.sql"))) << base;
    EXPECT_EQ(m.down_sql, readFile(dir / (base + ".down.sql"))) << base;
  }
}

class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = test::TestPostgres::shared().createDatabase();
    connection_ = connect();
    ASSERT_NE(connection_, nullptr);
  }

  void TearDown() override {
    connection_.reset();
    test::TestPostgres::shared().dropDatabase(conninfo_);
  }

  std::unique_ptr<pqxx::connection> connect() {
    auto connection = openConnection(conninfo_);
    EXPECT_TRUE(connection.isOk()) << connection.status().toString();
    return connection.isOk() ? std::move(connection).value() : nullptr;
  }

  std::string sql(const std::string& query) {
    auto out = test::TestPostgres::shared().psql(conninfo_, query);
    EXPECT_TRUE(out.isOk()) << out.status().toString();
    std::string text = out.isOk() ? out.value() : "";
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    return text;
  }

  bool tableExists(const std::string& name) {
    return sql("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
  }

  std::string conninfo_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST_F(MigratorTest, EmptyDatabaseIsAtVersionZeroWithNothingApplied) {
  Migrator migrator(*connection_);
  auto version = migrator.currentVersion();
  ASSERT_TRUE(version.isOk()) << version.status().toString();
  EXPECT_EQ(version.value(), 0);
  auto status = migrator.status();
  ASSERT_TRUE(status.isOk()) << status.status().toString();
  ASSERT_EQ(status->size(), builtinMigrations().size());
  for (const MigrationStatus& s : status.value()) {
    EXPECT_FALSE(s.applied);
    EXPECT_TRUE(s.applied_at.empty());
  }
  // Looking does not create anything.
  EXPECT_FALSE(tableExists("gantry_schema_migrations"));
}

TEST_F(MigratorTest, UpAppliesEveryMigrationAndRecordsIt) {
  Migrator migrator(*connection_);
  auto applied = migrator.up();
  ASSERT_TRUE(applied.isOk()) << applied.status().toString();
  EXPECT_EQ(applied.value(), allVersions());
  EXPECT_EQ(migrator.currentVersion().value(), requiredSchemaVersion());

  for (const char* table :
       {"gantry_jobs", "gantry_job_history", "gantry_job_attempts", "gantry_queues",
        "gantry_job_history_default", "gantry_job_ids", "gantry_broker_owner"}) {
    EXPECT_TRUE(tableExists(table)) << table;
  }
  std::string expected;
  for (const Migration& m : builtinMigrations()) {
    expected += (expected.empty() ? "" : " ") + std::to_string(m.version) + ":" + m.name;
  }
  EXPECT_EQ(expected,
            "1:init 2:job_id_high_water 3:broker_owner 4:attempt_identity 5:partial_success");
  EXPECT_EQ(sql("SELECT string_agg(version || ':' || name, ' ' ORDER BY version) "
                "FROM gantry_schema_migrations"),
            expected);
  auto status = migrator.status();
  ASSERT_TRUE(status.isOk()) << status.status().toString();
  for (const MigrationStatus& s : status.value()) {
    EXPECT_TRUE(s.applied) << s.version;
    EXPECT_EQ(s.applied_at.size(), 20u) << s.applied_at;  // 2024-03-10T12:00:00Z
  }
}

TEST_F(MigratorTest, UpTwiceAppliesNothingTheSecondTime) {
  Migrator migrator(*connection_);
  ASSERT_TRUE(migrator.up().isOk());
  auto again = migrator.up();
  ASSERT_TRUE(again.isOk()) << again.status().toString();
  EXPECT_TRUE(again->empty());
}

TEST_F(MigratorTest, UpToATargetStopsThere) {
  Migrator migrator(*connection_);
  auto none = migrator.up(0);
  ASSERT_TRUE(none.isOk()) << none.status().toString();
  EXPECT_TRUE(none->empty());
  auto first = migrator.up(1);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(first.value(), std::vector<int>{1});
  EXPECT_EQ(migrator.currentVersion().value(), 1);
}

TEST_F(MigratorTest, DownRevertsTheNewestAndUpReappliesIt) {
  Migrator migrator(*connection_);
  ASSERT_TRUE(migrator.up().isOk());
  auto reverted = migrator.down(1);
  ASSERT_TRUE(reverted.isOk()) << reverted.status().toString();
  EXPECT_EQ(reverted.value(), std::vector<int>{requiredSchemaVersion()});
  EXPECT_EQ(migrator.currentVersion().value(), requiredSchemaVersion() - 1);

  auto again = migrator.up();
  ASSERT_TRUE(again.isOk()) << again.status().toString();
  EXPECT_EQ(again.value(), std::vector<int>{requiredSchemaVersion()});
}

TEST_F(MigratorTest, DownOfEverythingLeavesAnEmptySchemaAndOnlyTheLedger) {
  Migrator migrator(*connection_);
  ASSERT_TRUE(migrator.up().isOk());
  auto reverted = migrator.down(100);
  ASSERT_TRUE(reverted.isOk()) << reverted.status().toString();
  std::vector<int> expected = allVersions();
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(reverted.value(), expected);
  EXPECT_EQ(migrator.currentVersion().value(), 0);
  EXPECT_EQ(sql("SELECT string_agg(tablename, ' ') FROM pg_tables WHERE schemaname = 'public'"),
            "gantry_schema_migrations");
  auto nothing = migrator.down(1);
  ASSERT_TRUE(nothing.isOk()) << nothing.status().toString();
  EXPECT_TRUE(nothing->empty());
}

// 0004 gives every attempt an identity (job, lease). Rows stored before it
// have no lease: each gets a distinct even number within its job (real
// leases are odd), in the order the attempts happened, and none is lost.
// Going back drops only what the old key cannot hold.
TEST_F(MigratorTest, AttemptIdentityNumbersOldRowsAndComesBack) {
  Migrator migrator(*connection_);
  ASSERT_TRUE(migrator.up(3).isOk());
  sql("INSERT INTO gantry_job_attempts (job_id, attempt, started_at_ms, finished_at_ms, outcome)"
      " VALUES (7, 1, 100, 200, 'handed_back'), (7, 1, 200, 300, 'retryable'),"
      "        (7, 2, 300, 400, 'succeeded'), (8, 1, 100, 200, 'fatal')");
  ASSERT_TRUE(migrator.up(4).isOk());
  EXPECT_EQ(sql("SELECT string_agg(job_id || ':' || attempt || ':' || lease, ' '"
                " ORDER BY job_id, started_at_ms) FROM gantry_job_attempts"),
            "7:1:2 7:1:4 7:2:6 8:1:2");
  // Now two attempts of one job may share number and milliseconds.
  sql("INSERT INTO gantry_job_attempts (job_id, lease, attempt, started_at_ms, finished_at_ms,"
      " outcome) VALUES (9, 11, 1, 500, 500, 'handed_back'), (9, 13, 1, 500, 500, 'succeeded')");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_attempts WHERE job_id = 9"), "2");

  auto reverted = migrator.down(1);
  ASSERT_TRUE(reverted.isOk()) << reverted.status().toString();
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_attempts"), "5");
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_job_attempts WHERE job_id = 9"), "1");
}

TEST_F(MigratorTest, DownRejectsNegativeSteps) {
  EXPECT_EQ(Migrator(*connection_).down(-1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MigratorTest, ConcurrentMigratorsApplyEachVersionOnce) {
  auto other = connect();
  ASSERT_NE(other, nullptr);
  Result<std::vector<int>> a = std::vector<int>{};
  Result<std::vector<int>> b = std::vector<int>{};
  std::thread t1([&] { a = Migrator(*connection_).up(); });
  std::thread t2([&] { b = Migrator(*other).up(); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  ASSERT_TRUE(b.isOk()) << b.status().toString();
  std::vector<int> all = a.value();
  all.insert(all.end(), b->begin(), b->end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, allVersions());
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_schema_migrations"),
            std::to_string(builtinMigrations().size()));
}

TEST_F(MigratorTest, SchemaCheckOnAnEmptyDatabaseNamesMigrateUp) {
  const Status status = checkSchemaVersion(*connection_);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("`gantryctl migrate up`"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("no Gantry schema"), std::string::npos) << status.message();
}

TEST_F(MigratorTest, SchemaCheckPassesAtTheRequiredVersion) {
  ASSERT_TRUE(Migrator(*connection_).up().isOk());
  const Status status = checkSchemaVersion(*connection_);
  EXPECT_TRUE(status.isOk()) << status.toString();
}

TEST_F(MigratorTest, SchemaCheckBehindTheBuildNamesMigrateUp) {
  if (requiredSchemaVersion() < 2) {
    GTEST_SKIP() << "needs at least two migrations (version 0 is the empty schema, tested above)";
  }
  ASSERT_TRUE(Migrator(*connection_).up(requiredSchemaVersion() - 1).isOk());
  const Status status = checkSchemaVersion(*connection_);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("`gantryctl migrate up`"), std::string::npos) << status.message();
}

TEST_F(MigratorTest, SchemaNewerThanTheBuildIsReportedAndNotTouched) {
  Migrator migrator(*connection_);
  ASSERT_TRUE(migrator.up().isOk());
  const int newer = requiredSchemaVersion() + 1;
  sql("INSERT INTO gantry_schema_migrations (version, name) VALUES (" + std::to_string(newer) +
      ", 'from_the_future')");

  const Status check = checkSchemaVersion(*connection_);
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(check.message().find("newer"), std::string::npos) << check.message();
  EXPECT_EQ(migrator.up().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(migrator.down(1).status().code(), StatusCode::kFailedPrecondition);
  auto status = migrator.status();
  ASSERT_TRUE(status.isOk()) << status.status().toString();
  EXPECT_EQ(status->back().version, newer);
  EXPECT_EQ(status->back().name, "from_the_future");
  EXPECT_TRUE(status->back().applied);
  EXPECT_TRUE(tableExists("gantry_jobs"));
}

TEST(OpenConnection, FailureNamesTheTargetButNeverThePassword) {
  auto connection = openConnection(
      "host=/nonexistent/socket/dir port=6000 dbname=gantry user=app password=s3cr3t-pw");
  ASSERT_FALSE(connection.isOk());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
  const std::string message = connection.status().message();
  EXPECT_NE(message.find("host=/nonexistent/socket/dir port=6000 dbname=gantry user=app"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
}

TEST(OpenConnection, UriFailureNeverShowsThePassword) {
  auto connection = openConnection("postgresql://app:s3cr3t-pw@/gantry?host=/nonexistent/dir");
  ASSERT_FALSE(connection.isOk());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(connection.status().message().find("s3cr3t"), std::string::npos)
      << connection.status().message();
}

TEST(OpenConnection, MalformedStringIsInvalidArgument) {
  auto connection = openConnection("host=x password='s3cr3t-pw");
  ASSERT_FALSE(connection.isOk());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(connection.status().message().find("s3cr3t"), std::string::npos);
}

TEST(DescribeTarget, ListsWhereButNotTheSecret) {
  EXPECT_EQ(describeTarget("host=db port=5433 dbname=jobs user=gantry password=pw"),
            "host=db port=5433 dbname=jobs user=gantry");
  EXPECT_EQ(describeTarget("postgresql://gantry:pw@db:5433/jobs"),
            "host=db port=5433 dbname=jobs user=gantry");
}

TEST(StatusFromException, ConnectionStringsInTheMessageLoseTheirPassword) {
  const Status s = statusFromException(
      std::runtime_error("bad: host=db password=s3cr3t-pw and postgresql://u:s3cr3t-pw@db/x"),
      "connect");
  EXPECT_EQ(s.message(), "connect: bad: host=db password=**** and postgresql://u:****@db/x");
}

TEST(Redact, ReplacesEveryOccurrence) {
  EXPECT_EQ(redact("a pw b pw", "pw"), "a **** b ****");
  EXPECT_EQ(redact("nothing", ""), "nothing");
}

}  // namespace
}  // namespace gantry::pg
