#include "partitions.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <pqxx/pqxx>
#include <set>

namespace gantry::broker::store {
namespace {

// Partition DDL needs an ACCESS EXCLUSIVE lock on the parent (DROP) or on
// the default partition (ATTACH). While it waits, every commit queues behind
// it, so give up quickly and let the next maintenance run try again.
constexpr const char* kLockTimeout = "SET LOCAL lock_timeout = '500ms'";

// Rows deleted from a DEFAULT partition per transaction.
constexpr int kDeleteBatch = 5000;

// Days to create partitions for, relative to today.
constexpr int64_t kFirstDayAhead = -1;
constexpr int64_t kLastDayAhead = 2;

std::string partitionName(const std::string& parent, int64_t day) {
  return parent + "_p" + dayLabel(day);
}

std::string defaultName(const std::string& parent) { return parent + "_default"; }

// The day of a partition named <parent>_pYYYYMMDD; nullopt for others.
std::optional<int64_t> dayOfPartition(const std::string& parent, const std::string& name) {
  const std::string prefix = parent + "_p";
  if (name.size() != prefix.size() + 8 || name.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (std::sscanf(name.c_str() + prefix.size(), "%4d%2u%2u", &y, &m, &d) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}};
  if (!date.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

std::set<int64_t> existingDays(pqxx::connection& connection, const std::string& parent) {
  pqxx::nontransaction tx(connection);
  const pqxx::result rows = tx.exec_params(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = $1::regclass",
      parent);
  std::set<int64_t> days;
  for (const auto& row : rows) {
    if (const auto day = dayOfPartition(parent, row[0].as<std::string>())) {
      days.insert(*day);
    }
  }
  return days;
}

void dropPartition(pqxx::connection& connection, const std::string& parent, int64_t day) {
  pqxx::work tx(connection);
  tx.exec(kLockTimeout);
  tx.exec("DROP TABLE IF EXISTS " + tx.quote_name(partitionName(parent, day)));
  tx.commit();
}

// Creates the day's partition. Rows of that day may already sit in the
// DEFAULT partition (a clock far off, or maintenance that did not run), and
// Postgres refuses a new partition that the default's rows belong to, so
// the partition is built detached, those rows moved into it, and then
// attached. The default partition is locked first so no row of that day
// can slip into it in between.
void createPartition(pqxx::connection& connection, const std::string& parent, int64_t day) {
  pqxx::work tx(connection);
  tx.exec(kLockTimeout);
  const std::string table = tx.quote_name(partitionName(parent, day));
  const std::string fallback = tx.quote_name(defaultName(parent));
  const std::string from = std::to_string(day * kDayMs);
  const std::string to = std::to_string((day + 1) * kDayMs);
  tx.exec("LOCK TABLE " + fallback + " IN ACCESS EXCLUSIVE MODE");
  tx.exec("CREATE TABLE " + table + " (LIKE " + tx.quote_name(parent) +
          " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
  tx.exec("WITH moved AS (DELETE FROM " + fallback + " WHERE finished_at_ms >= " + from +
          " AND finished_at_ms < " + to + " RETURNING *) INSERT INTO " + table +
          " SELECT * FROM moved");
  tx.exec("ALTER TABLE " + tx.quote_name(parent) + " ATTACH PARTITION " + table +
          " FOR VALUES FROM (" + from + ") TO (" + to + ")");
  tx.commit();
}

// Expired rows in the DEFAULT partition cannot go with a whole partition;
// delete them a batch at a time so no transaction grows large.
void trimDefault(pqxx::connection& connection, const std::string& parent, TimeMs cutoff) {
  const std::string fallback = connection.quote_name(defaultName(parent));
  const std::string sql = "DELETE FROM " + fallback + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " +
                          fallback + " WHERE finished_at_ms < $1 LIMIT " +
                          std::to_string(kDeleteBatch) + "))";
  while (true) {
    pqxx::nontransaction tx(connection);
    const pqxx::result r = tx.exec_params(sql, cutoff);
    if (r.affected_rows() < static_cast<pqxx::result::size_type>(kDeleteBatch)) {
      break;
    }
  }
}

}  // namespace

int64_t dayOf(TimeMs ms) {
  // Floor division: days before 1970 are negative.
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

std::string dayLabel(int64_t day) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

void maintainPartitions(pqxx::connection& connection, const std::string& parent, TimeMs now,
                        TimeMs cutoff) {
  const std::set<int64_t> existing = existingDays(connection, parent);
  // A day partition holds [day, day + 1); it expires once all of it is
  // older than the cutoff.
  const auto expired = [&](int64_t day) { return (day + 1) * kDayMs <= cutoff; };
  // Creating comes first: if a lock times out later, the coming days still
  // have their partitions and rows do not pile up in the default one.
  const int64_t today = dayOf(now);
  for (int64_t day = today + kFirstDayAhead; day <= today + kLastDayAhead; ++day) {
    if (existing.count(day) == 0 && !expired(day)) {
      createPartition(connection, parent, day);
    }
  }
  for (const int64_t day : existing) {
    if (expired(day)) {
      dropPartition(connection, parent, day);
    }
  }
  trimDefault(connection, parent, cutoff);
}

}  // namespace gantry::broker::store
