// PgStore's behaviour around its connection: failures become Status values,
// a lost connection is reported as broken, the schema check names the fix.
#include <gtest/gtest.h>

#include "broker/store/store_fixture.h"

namespace gantry::broker {
namespace {

TEST(PgStoreConnect, UnreachableDatabaseIsUnavailableAndTheMessageHidesThePassword) {
  auto store = PgStore::connect(
      "host=/nonexistent/gantry port=5999 dbname=jobs user=gantry password=hunter2-secret "
      "connect_timeout=2");
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("host=/nonexistent/gantry"), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().message().find("dbname=jobs"), std::string::npos);
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos)
      << store.status().message();
}

TEST(PgStoreConnect, MalformedConnectionStringIsInvalidAndHidesThePassword) {
  auto store = PgStore::connect("host=x password='hunter2-secret");
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos)
      << store.status().message();
}

TEST(PgStoreConnect, SchemaCheckOnAnEmptyDatabaseNamesMigrateUp) {
  const std::string conninfo = test::TestPostgres::shared().createDatabase();
  auto store = PgStore::connect(conninfo);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  const Status status = store.value()->checkSchema();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("gantryctl migrate up"), std::string::npos) << status.message();
  store.value().reset();
  test::TestPostgres::shared().dropDatabase(conninfo);
}

TEST_F(StoreTest, SchemaCheckPassesAfterMigrating) {
  const Status status = store_->checkSchema();
  EXPECT_TRUE(status.isOk()) << status.toString();
}

TEST_F(StoreTest, CommitsAreDurableOnTheServer) {
  EXPECT_EQ(sql("SHOW synchronous_commit"), "on");
  EXPECT_EQ(sql("SHOW fsync"), "on");
}

TEST_F(StoreTest, LostConnectionIsUnavailableAndMarksTheStoreBroken) {
  WriteBatch batch;
  batch.addInsert(makeJob(1));
  commit(batch);
  EXPECT_FALSE(store_->broken());

  test::TestPostgres::shared().terminateConnections(conninfo_);
  WriteBatch next;
  next.addInsert(makeJob(2));
  const Status status = store_->commit(next);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.toString();
  EXPECT_TRUE(store_->broken());
  // It stays broken rather than quietly reconnecting.
  EXPECT_EQ(store_->getJob(1, false).status().code(), StatusCode::kUnavailable);

  auto fresh = PgStore::connect(conninfo_);
  ASSERT_TRUE(fresh.isOk()) << fresh.status().toString();
  ASSERT_TRUE(fresh.value()->commit(next).isOk());
  EXPECT_EQ(sql("SELECT count(*) FROM gantry_jobs"), "2");
}

TEST_F(StoreTest, CommittedJobsSurviveAnImmediateServerRestart) {
  WriteBatch batch;
  batch.addInsert(makeJob(1));
  batch.addInsert(makeJob(2, wire::SUCCEEDED));
  commit(batch);

  auto& pg = test::TestPostgres::shared();
  const pid_t before = pg.pid();
  pg.restart(test::TestPostgres::StopMode::kImmediate);
  EXPECT_NE(pg.pid(), before);

  EXPECT_EQ(store_->getJob(1, false).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(store_->broken());
  auto fresh = PgStore::connect(conninfo_);
  ASSERT_TRUE(fresh.isOk()) << fresh.status().toString();
  auto state = recoverAll(*fresh.value());
  ASSERT_TRUE(state.isOk()) << state.status().toString();
  ASSERT_EQ(state->active.size(), 1u);
  EXPECT_GE(state->max_job_id, 2u);
}

}  // namespace
}  // namespace gantry::broker
