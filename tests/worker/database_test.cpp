// Database, the handlers' Postgres, against a real throwaway Postgres:
// commit, rollback, error text, a connection killed server-side, and the
// wait for a connection ending with the attempt.
#include "gantry/worker/database.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "fakes/fake_clock.h"
#include "support/test_postgres.h"

namespace gantry::worker {
namespace {

using std::chrono::steady_clock;

constexpr auto kPatience = std::chrono::seconds(30);

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest() : conninfo_(test::TestPostgres::shared().createDatabase()) {
    psql("CREATE TABLE meetings (id int PRIMARY KEY, title text NOT NULL)");
  }
  ~DatabaseTest() override { test::TestPostgres::shared().dropDatabase(conninfo_); }

  std::unique_ptr<Database> makeDatabase(uint32_t size = 2) {
    pg::PoolOptions options;
    options.conninfo = conninfo_;
    options.size = size;
    return std::make_unique<Database>(std::move(options), clock_);
  }

  std::string psql(const std::string& sql) {
    auto out = test::TestPostgres::shared().psql(conninfo_, sql);
    EXPECT_TRUE(out.isOk()) << out.status().toString();
    return out.isOk() ? out.value() : "";
  }

  // A context for one attempt; `deadline_ms` is on clock_'s wall time.
  std::unique_ptr<JobContext> context(std::shared_ptr<CancelToken> token, TimeMs deadline_ms = 0) {
    JobInfo info;
    info.job_id = 7;
    info.kind = "meeting.sync";
    info.deadline_ms = deadline_ms;
    return std::make_unique<JobContext>(std::move(info), std::move(token), ProgressSink{});
  }

  static void upsert(pqxx::work& tx, int id, const std::string& title) {
    tx.exec_params(
        "INSERT INTO meetings (id, title) VALUES ($1, $2) "
        "ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title",
        id, title);
  }

  // Waits (without sleeping) until `db`'s pool has a waiter.
  static void awaitWaiter(const Database& db) {
    const auto give_up = steady_clock::now() + kPatience;
    while (db.stats().waiting == 0 && steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    ASSERT_EQ(db.stats().waiting, 1u);
  }

  test::FakeClock clock_;
  std::string conninfo_;
  std::shared_ptr<CancelToken> token_ = std::make_shared<CancelToken>();
};

TEST_F(DatabaseTest, WriteCommits) {
  auto db = makeDatabase();
  auto ctx = context(token_);
  const Status status = db->write(*ctx, "upsert meeting", [](pqxx::work& tx) {
    upsert(tx, 1, "standup");
    upsert(tx, 1, "retro");
  });
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(psql("SELECT id, title FROM meetings"), "1|retro\n");
}

TEST_F(DatabaseTest, ReadSeesCommittedRows) {
  auto db = makeDatabase();
  psql("INSERT INTO meetings VALUES (3, 'planning')");
  auto ctx = context(token_);
  std::string title;
  const Status status = db->read(*ctx, "load meeting", [&](pqxx::read_transaction& tx) {
    title = tx.exec1("SELECT title FROM meetings WHERE id = 3")[0].as<std::string>();
  });
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(title, "planning");
}

TEST_F(DatabaseTest, AnExceptionRollsBackAndBecomesAnInternalError) {
  auto db = makeDatabase();
  auto ctx = context(token_);
  const Status status = db->write(*ctx, "upsert meeting", [](pqxx::work& tx) {
    upsert(tx, 1, "standup");
    throw std::runtime_error("calendar entry has no start time");
  });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_EQ(status.message(), "db upsert meeting: calendar entry has no start time");
  EXPECT_EQ(psql("SELECT count(*) FROM meetings"), "0\n");
}

TEST_F(DatabaseTest, SqlErrorsAreReportedWithTheirSqlState) {
  auto db = makeDatabase();
  auto ctx = context(token_);

  const Status syntax =
      db->write(*ctx, "bad statement", [](pqxx::work& tx) { tx.exec("INSERT INTO"); });
  EXPECT_EQ(syntax.code(), StatusCode::kInternal);
  EXPECT_NE(syntax.message().find("db bad statement: [42601]"), std::string::npos)
      << syntax.message();

  const Status refused = db->write(*ctx, "insert meeting", [](pqxx::work& tx) {
    tx.exec("INSERT INTO meetings VALUES (1, NULL)");
  });
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("[23502]"), std::string::npos) << refused.message();

  const Status missing = db->write(
      *ctx, "upsert episode", [](pqxx::work& tx) { tx.exec("INSERT INTO episodes VALUES (1)"); });
  EXPECT_EQ(missing.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("[42P01]"), std::string::npos) << missing.message();
  // The failures left every connection usable.
  EXPECT_EQ(db->stats().broken_total, 0u);
}

TEST_F(DatabaseTest, AConnectionKilledServerSideIsReplacedAndTheWriteSucceeds) {
  auto db = makeDatabase();
  auto ctx = context(token_);
  ASSERT_TRUE(db->write(*ctx, "upsert meeting", [](pqxx::work& tx) { upsert(tx, 1, "a"); }).isOk());
  test::TestPostgres::shared().terminateConnections(conninfo_);

  int runs = 0;
  const Status status = db->write(*ctx, "upsert meeting", [&](pqxx::work& tx) {
    ++runs;
    upsert(tx, 1, "b");
  });
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(psql("SELECT title FROM meetings"), "b\n");
  // The dead connection failed at BEGIN, before the function ran.
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(db->stats().broken_total, 1u);
  EXPECT_EQ(db->stats().opened_total, 2u);
}

TEST_F(DatabaseTest, NoDatabaseIsUnavailableWithoutThePassword) {
  pg::PoolOptions options;
  options.conninfo = "host=" + test::TestPostgres::shared().socketDir() +
                     " port=5432 dbname=no_such_db user=postgres password=hunter2";
  Database db(std::move(options), clock_);
  auto ctx = context(token_);
  bool ran = false;
  const Status status = db.write(*ctx, "upsert meeting", [&](pqxx::work&) { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message().rfind("db upsert meeting: cannot connect", 0), 0u) << status.message();
  EXPECT_EQ(status.message().find("hunter2"), std::string::npos);
}

// One write holds the only connection until released; another waits.
class BusyDatabaseTest : public DatabaseTest {
 protected:
  void SetUp() override {
    db_ = makeDatabase(1);
    holder_ = std::async(std::launch::async, [this] {
      auto ctx = context(std::make_shared<CancelToken>());
      return db_->write(*ctx, "hold", [this](pqxx::work&) {
        held_.set_value();
        release_.get_future().wait();
      });
    });
    held_.get_future().wait();
  }
  void TearDown() override {
    release_.set_value();
    EXPECT_TRUE(holder_.get().isOk());
  }

  std::unique_ptr<Database> db_;
  std::promise<void> held_;
  std::promise<void> release_;
  std::future<Status> holder_;
};

TEST_F(BusyDatabaseTest, CancellingTheAttemptEndsTheWait) {
  auto ctx = context(token_);
  bool ran = false;
  auto waiter = std::async(std::launch::async, [&] {
    return db_->write(*ctx, "upsert meeting", [&](pqxx::work&) { ran = true; });
  });
  awaitWaiter(*db_);
  token_->cancel(CancelReason::kCancelled);
  const Status status = waiter.get();
  EXPECT_FALSE(ran);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("cancelled while waiting"), std::string::npos)
      << status.message();
}

TEST_F(BusyDatabaseTest, TheAttemptsDeadlineEndsTheWait) {
  auto ctx = context(token_, clock_.wallMs() + 30);
  const Status status = db_->write(*ctx, "upsert meeting", [](pqxx::work&) {});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("timed out waiting"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace gantry::worker
