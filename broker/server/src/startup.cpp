#include "gantry/broker/server/startup.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "gantry/common/log.h"

namespace gantry::broker {
namespace {

// A standby broker tries to take ownership this often; a new owner bumps
// the epoch at once, so the wait is what a takeover costs.
constexpr int kOwnershipPollMs = 500;
// ...and says that it is waiting this often.
constexpr int64_t kStandbyReportIntervalMs = 30000;

// Waits up to `ms` for `stop_fd` to become readable; true when it did.
bool stopWithin(int stop_fd, int64_t ms) {
  pollfd stop = {stop_fd, POLLIN, 0};
  return ::poll(&stop, 1, static_cast<int>(ms)) > 0;
}

// Who took ownership, for the operator who finds another broker waiting.
std::string holderName(const std::string& client_endpoint) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + " (clients at " + client_endpoint +
         ")";
}

// Gives up early when `stop_fd` becomes readable.
Result<std::unique_ptr<PgStore>> connectWithin(const std::string& conninfo, int64_t wait_ms,
                                               const Clock& clock, int stop_fd,
                                               BrokerHealth& health) {
  const TimeMs deadline = clock.monoMs() + wait_ms;
  int64_t delay_ms = 100;
  while (true) {
    auto store = PgStore::connect(conninfo);
    health.setDatabase(store.isOk(), store.isOk() ? "connected" : store.status().message());
    if (store.isOk() || clock.monoMs() + delay_ms > deadline) {
      return store;
    }
    log::warn("database not reachable yet; retrying", {{"error", store.status().message()}});
    if (stopWithin(stop_fd, delay_ms)) {
      return store;
    }
    delay_ms = std::min<int64_t>(delay_ms * 2, 2000);
  }
}

// Waits until `store`'s connection owns the database, replacing `store` if
// its connection breaks meanwhile; returns the ownership epoch.
Result<uint64_t> takeOwnership(const BrokerConfig& config, const Clock& clock,
                               const std::string& holder, std::unique_ptr<PgStore>& store,
                               int stop_fd, BrokerHealth& health) {
  TimeMs next_report_mono_ms = clock.monoMs();
  Status connection = Status::ok();  // of the last attempt to reach the database
  while (true) {
    if (store == nullptr || store->broken()) {
      auto reconnected = PgStore::connect(config.database_url);
      connection = reconnected.status();
      store = reconnected.isOk() ? std::move(reconnected.value()) : nullptr;
    }
    health.setDatabase(store != nullptr && !store->broken(),
                       connection.isOk() ? "connected" : connection.message());
    if (store != nullptr) {
      auto taken = store->tryTakeOwnership(holder, clock.wallMs());
      if (taken.isOk() && taken->has_value()) {
        return **taken;
      }
      if (!taken.isOk() && !store->broken()) {
        return taken.status();
      }
      connection = taken.status();
    }
    if (clock.monoMs() >= next_report_mono_ms) {
      next_report_mono_ms = clock.monoMs() + kStandbyReportIntervalMs;
      auto owner = connection.isOk() ? store->owner() : Result<BrokerOwner>(connection);
      if (owner.isOk()) {
        health.setPhase(BrokerHealth::Phase::kStandby,
                        "standby: " + owner->holder + " owns the database");
        log::warn("another broker owns the database; waiting as a standby until it stops",
                  {{"owner", owner->holder}, {"owner_since_ms", owner->acquired_at_ms}});
      } else {
        log::warn("cannot reach the database to take ownership; retrying",
                  {{"error", owner.status().message()}});
      }
    }
    if (stopWithin(stop_fd, kOwnershipPollMs)) {
      return unavailable("stopped while waiting for another broker to release the database");
    }
  }
}

}  // namespace

Result<OwnedDatabase> becomeOwner(const BrokerConfig& config, const Clock& clock, int stop_fd,
                                  int64_t db_wait_ms, BrokerHealth& health) {
  auto store = connectWithin(config.database_url, db_wait_ms, clock, stop_fd, health);
  if (!store.isOk()) {
    return store.status();
  }
  if (Status s = (*store)->checkSchema(); !s.isOk()) {
    health.setSchema(false, s.message());
    return s;
  }
  health.setSchema(true, "current");
  const std::string holder = holderName(config.client_endpoint);
  auto epoch = takeOwnership(config, clock, holder, store.value(), stop_fd, health);
  if (!epoch.isOk()) {
    return epoch.status();
  }
  log::info("took ownership of the database", {{"epoch", *epoch}});
  return OwnedDatabase{std::move(store.value()), BrokerOwner{*epoch, holder, clock.wallMs()}};
}

}  // namespace gantry::broker
