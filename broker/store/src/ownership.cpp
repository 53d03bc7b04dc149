// PgStore's ownership of the database: a session advisory lock held by the
// owning broker's write connection, and an epoch that tells a broker coming
// back from a broken connection whether someone else owned the database
// while it was away.
#include <pqxx/pqxx>

#include "gantry/broker/store/pg_store.h"
#include "gantry/pg/pg_error.h"

namespace gantry::broker {
namespace {

// "gantrybr"; the migrator's lock uses another key.
constexpr int64_t kOwnerLockKey = 0x67616e7472796272;

// The lock's row in pg_locks: a bigint key shows as its high half in
// classid and its low half in objid, with objsubid 1.
constexpr const char* kLockHolderSql =
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1";

bool tryLock(pqxx::connection& connection) {
  return pqxx::nontransaction(connection)
      .exec_params1("SELECT pg_try_advisory_lock($1)", kOwnerLockKey)[0]
      .as<bool>();
}

// The backend holding the lock, or 0 when none does.
int lockHolderPid(pqxx::connection& connection) {
  const pqxx::result rows = pqxx::nontransaction(connection)
                                .exec_params(kLockHolderSql, (kOwnerLockKey >> 32) & 0xffffffff,
                                             kOwnerLockKey & 0xffffffff);
  return rows.empty() ? 0 : rows[0][0].as<int>();
}

std::string describe(const BrokerOwner& owner) {
  return owner.holder.empty() ? "another broker" : "the broker " + owner.holder;
}

}  // namespace

Result<std::optional<uint64_t>> PgStore::tryTakeOwnership(const std::string& holder, TimeMs now) {
  try {
    if (!tryLock(*connection_)) {
      return std::optional<uint64_t>();
    }
    const pqxx::row row = pqxx::nontransaction(*connection_)
                              .exec_params1(
                                  "UPDATE gantry_broker_owner SET epoch = epoch + 1, holder = $1,"
                                  " acquired_at_ms = $2 RETURNING epoch",
                                  holder, now);
    return std::optional<uint64_t>(row[0].as<uint64_t>());
  } catch (const std::exception& e) {
    return fail(e, "taking ownership of the database");
  }
}

Result<BrokerOwner> PgStore::owner() {
  try {
    const pqxx::row row =
        pqxx::nontransaction(*connection_)
            .exec1("SELECT epoch, holder, acquired_at_ms FROM gantry_broker_owner");
    return BrokerOwner{row[0].as<uint64_t>(), row[1].as<std::string>(), row[2].as<TimeMs>()};
  } catch (const std::exception& e) {
    return fail(e, "reading the database's owner");
  }
}

Status PgStore::resumeOwnership(uint64_t epoch, int previous_backend_pid) {
  try {
    if (tryLock(*connection_)) {
      const Result<BrokerOwner> now_owner = owner();
      if (!now_owner.isOk() || now_owner->epoch == epoch) {
        return now_owner.status();
      }
      pqxx::nontransaction(*connection_)
          .exec_params("SELECT pg_advisory_unlock($1)", kOwnerLockKey);
      return failedPrecondition(describe(now_owner.value()) + " owned the database while this one" +
                                " was disconnected (epoch " + std::to_string(now_owner->epoch) +
                                ", this broker's was " + std::to_string(epoch) + ")");
    }
    const int holder_pid = lockHolderPid(*connection_);
    if (holder_pid != 0 && holder_pid == previous_backend_pid) {
      pqxx::nontransaction(*connection_).exec_params("SELECT pg_terminate_backend($1)", holder_pid);
      return unavailable("this broker's previous database session (pid " +
                         std::to_string(holder_pid) + ") still held ownership; it was ended");
    }
    if (holder_pid == 0) {
      return unavailable("ownership of the database was released as it was being resumed");
    }
    const Result<BrokerOwner> now_owner = owner();
    return failedPrecondition(
        (now_owner.isOk() ? describe(now_owner.value()) : std::string("another broker")) +
        " owns the database (server pid " + std::to_string(holder_pid) + ")");
  } catch (const std::exception& e) {
    return fail(e, "resuming ownership of the database");
  }
}

}  // namespace gantry::broker
