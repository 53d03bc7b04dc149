// Ownership of the database: one connection at a time holds it, each new
// owner gets a higher epoch, and a broker coming back on a new connection
// gets it back only if nobody else owned the database meanwhile.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "broker/store/store_fixture.h"

namespace gantry::broker {
namespace {

class OwnershipTest : public StoreTest {
 protected:
  std::unique_ptr<PgStore> connect() {
    auto store = PgStore::connect(conninfo_);
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    return store.isOk() ? std::move(store).value() : nullptr;
  }

  std::optional<uint64_t> take(PgStore& store, const std::string& holder) {
    auto taken = store.tryTakeOwnership(holder, kNow);
    EXPECT_TRUE(taken.isOk()) << taken.status().toString();
    return taken.isOk() ? taken.value() : std::nullopt;
  }

  // Ends a connection's server process, as a database restart or an
  // operator would, and waits until its lock is released.
  void endSession(int backend_pid) {
    sql("SELECT pg_terminate_backend(" + std::to_string(backend_pid) + ")");
    for (int i = 0; i < 500 && sql("SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                                   std::to_string(backend_pid)) != "0";
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

TEST_F(OwnershipTest, OneConnectionOwnsTheDatabaseUntilItCloses) {
  std::optional<uint64_t> first = take(*store_, "broker-a");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 1u);

  auto other = connect();
  EXPECT_EQ(take(*other, "broker-b"), std::nullopt);
  auto owner = other->owner();
  ASSERT_TRUE(owner.isOk()) << owner.status().toString();
  EXPECT_EQ(owner->holder, "broker-a");
  EXPECT_EQ(owner->epoch, 1u);
  EXPECT_EQ(owner->acquired_at_ms, kNow);

  const int owner_pid = store_->backendPid();
  store_.reset();
  endSession(owner_pid);
  EXPECT_EQ(take(*other, "broker-b"), std::optional<uint64_t>(2));
  EXPECT_EQ(other->owner()->holder, "broker-b");
}

TEST_F(OwnershipTest, AReconnectingOwnerResumesWhenNobodyTookOver) {
  const uint64_t epoch = take(*store_, "broker-a").value();
  const int old_pid = store_->backendPid();
  endSession(old_pid);

  auto reconnected = connect();
  const Status resumed = reconnected->resumeOwnership(epoch, old_pid);
  EXPECT_TRUE(resumed.isOk()) << resumed.toString();
  // It holds the lock again: nobody else can take it.
  EXPECT_EQ(take(*connect(), "broker-b"), std::nullopt);
}

TEST_F(OwnershipTest, AReconnectingOwnerIsRefusedWhileAnotherBrokerOwnsTheDatabase) {
  const uint64_t epoch = take(*store_, "broker-a").value();
  const int old_pid = store_->backendPid();
  endSession(old_pid);
  auto other = connect();
  ASSERT_TRUE(take(*other, "broker-b").has_value());

  const Status resumed = connect()->resumeOwnership(epoch, old_pid);
  EXPECT_EQ(resumed.code(), StatusCode::kFailedPrecondition) << resumed.toString();
  EXPECT_NE(resumed.message().find("broker-b"), std::string::npos) << resumed.message();
}

TEST_F(OwnershipTest, AReconnectingOwnerIsRefusedWhenAnotherBrokerOwnedTheDatabaseMeanwhile) {
  const uint64_t epoch = take(*store_, "broker-a").value();
  const int old_pid = store_->backendPid();
  endSession(old_pid);
  {
    auto other = connect();
    ASSERT_TRUE(take(*other, "broker-b").has_value());
    const int other_pid = other->backendPid();
    other.reset();
    endSession(other_pid);
  }

  auto reconnected = connect();
  const Status resumed = reconnected->resumeOwnership(epoch, old_pid);
  EXPECT_EQ(resumed.code(), StatusCode::kFailedPrecondition) << resumed.toString();
  EXPECT_NE(resumed.message().find("while this one was disconnected"), std::string::npos)
      << resumed.message();
  // The refused broker does not keep the lock: a standby can take over.
  EXPECT_EQ(take(*connect(), "broker-c"), std::optional<uint64_t>(epoch + 2));
}

TEST_F(OwnershipTest, ASessionTheServerStillKeepsForTheOwnerIsEndedAndOwnershipResumes) {
  // The old connection is alive on the server (as when only the network
  // failed): its lock would otherwise keep the owner out until TCP notices.
  const uint64_t epoch = take(*store_, "broker-a").value();
  const int old_pid = store_->backendPid();

  auto reconnected = connect();
  const Status first = reconnected->resumeOwnership(epoch, old_pid);
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.toString();
  endSession(old_pid);  // already ended by resumeOwnership; waits for the exit
  const Status second = reconnected->resumeOwnership(epoch, old_pid);
  EXPECT_TRUE(second.isOk()) << second.toString();
}

TEST_F(OwnershipTest, AnotherSessionHoldingTheLockIsNotEnded) {
  const uint64_t epoch = take(*store_, "broker-a").value();
  auto other = connect();
  const Status resumed = other->resumeOwnership(epoch, /*previous_backend_pid=*/12345);
  EXPECT_EQ(resumed.code(), StatusCode::kFailedPrecondition) << resumed.toString();
  EXPECT_FALSE(store_->broken());
  EXPECT_EQ(sql("SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                std::to_string(store_->backendPid())),
            "1");
}

}  // namespace
}  // namespace gantry::broker
