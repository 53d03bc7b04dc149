// A broker's way to the moment it may serve: a connection to Postgres
// (waiting for the database to come up), the schema check, and ownership of
// the database, waiting as a standby while another broker owns it
// (docs/architecture.md, "One broker per database"). Nothing is bound and
// nothing recovered before ownership: only the owner's view of the database
// is the truth.
#pragma once

#include <cstdint>
#include <memory>

#include "gantry/broker/core/config.h"
#include "gantry/broker/core/store_types.h"
#include "gantry/broker/server/broker_health.h"
#include "gantry/broker/store/pg_store.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"

namespace gantry::broker {

struct OwnedDatabase {
  std::unique_ptr<PgStore> store;  // the write connection; it holds the lock
  BrokerOwner owner;               // who this broker is to the database
};

// Connects (retrying for up to db_wait_ms), checks the schema, then waits
// until this broker owns the database, for as long as it takes; a standby
// outlives database restarts. Fails with kUnavailable when `stop_fd`
// becomes readable first, and with the store's error when the database
// cannot be reached in time or its schema is not this build's. Reports each
// step to `health` (connecting, schema, standby, database reachable).
Result<OwnedDatabase> becomeOwner(const BrokerConfig& config, const Clock& clock, int stop_fd,
                                  int64_t db_wait_ms, BrokerHealth& health);

}  // namespace gantry::broker
