// How one WriteBatch becomes one transaction. Rows are applied set-based:
// they arrive together (by COPY, or as VALUES lists in the statement text)
// and one statement applies each kind of change to all of them, so the
// cost grows with the batch, not with the number of statements.
//
// A batch of new jobs alone (WriteBatch::onlyNewJobs, the usual batch of
// submits) is one statement outside a transaction block, which Postgres
// commits on its own: up to kMaxPreparedInsertRows jobs as a prepared
// INSERT (one round trip, nothing to parse or plan), more as one COPY (two
// round trips, little parsing per row, and the rows stream to the server
// while later ones are still being encoded). Other small batches go
// as a single string of statements in one simple query, which Postgres runs
// as one implicit transaction: one round trip, which is what a commit of a
// few jobs mostly costs. Larger ones use COPY inside BEGIN/COMMIT: a few
// round trips more, but far less parsing per row. All write the same rows.
// Store-internal; functions of their arguments, thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gantry/broker/core/write_batch.h"
#include "gantry/common/status.h"
#include "gantry/pg/pqxx_fwd.h"

namespace gantry::broker::store {

// kInvalidArgument, naming the job, for a row whose state is not a JobState.
Status checkStates(const WriteBatch& batch);

// Writes `batch` in one transaction on `connection` (no transaction open).
// Ids are recorded in gantry_job_ids a block ahead of use: `high_water` is
// the mark this connection stored last, and the return value the mark now
// stored. If some rows are stored already, the batch is a replay of a
// commit whose outcome was unknown; it is written again so that stored rows
// are skipped. REQUIRES: checkStates(batch) is ok; the session has the
// staging tables (kCreateStageTables). Batches of at most `one_trip_rows`
// rows (inserts, transitions and attempts together) go in one round trip,
// unless they hold new jobs alone.
// Throws libpqxx exceptions.
uint64_t writeBatch(pqxx::connection& connection, const WriteBatch& batch, uint64_t high_water,
                    size_t one_trip_rows);

}  // namespace gantry::broker::store
