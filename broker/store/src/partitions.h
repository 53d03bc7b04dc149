// Day partitions of gantry_job_history and gantry_job_attempts: creating
// them ahead of time, dropping expired ones whole, and trimming the DEFAULT
// partition. Store-internal; used by PgStore::maintain. Thread-compatible.
#pragma once

#include <pqxx/connection>
#include <string>

#include "gantry/common/clock.h"

namespace gantry::broker::store {

constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;

// The UTC day number (days since 1970-01-01) containing `ms`.
int64_t dayOf(TimeMs ms);
// "20240131" for the day number.
std::string dayLabel(int64_t day);

// For `parent` (gantry_job_history or gantry_job_attempts, partitioned by
// finished_at_ms):
//  - creates the partitions for yesterday..today+2 (UTC, from `now`) that
//    are missing and not expired, moving any rows of that day out of the
//    DEFAULT partition into the new one;
//  - drops each day partition wholly older than `cutoff`;
//  - deletes rows older than `cutoff` from the DEFAULT partition in
//    batches, each in its own transaction.
// Cheap when nothing is due: one catalog query. Throws what libpqxx throws.
void maintainPartitions(pqxx::connection& connection, const std::string& parent, TimeMs now,
                        TimeMs cutoff);

}  // namespace gantry::broker::store
