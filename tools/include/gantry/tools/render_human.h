// Human output of gantryctl: aligned tables and label/value blocks, times
// shown relative to `now` (and absolute where the exact moment matters).
// Pure functions, thread-safe.
#pragma once

#include <string>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::tools {

// One job in detail, then its attempts (if the reply has them).
std::string renderJobDetail(const wire::GetReply& reply, TimeMs now);
// One row per job: ID STATE QUEUE KIND PRI ATTEMPT KEY UPDATED ERROR.
std::string renderJobTable(const wire::ListReply& reply, TimeMs now);
// Per-queue table, then the worker count and lifetime totals.
std::string renderStats(const wire::StatsReply& reply);
// The rate-limited resources of a stats reply: limit, current rate, tokens,
// hold, circuit and totals.
std::string renderResources(const wire::StatsReply& reply);
std::string renderWorkers(const wire::WorkersReply& reply, TimeMs now);
// One row per id: ID RESULT ("ok" or "refused") MESSAGE (the broker's, or
// `done_word` when it sent none).
std::string renderIdOutcomes(const wire::IdOutcomesReply& reply, const std::string& done_word);

// The state with what happens next: "queued, runs in 4m", "failed, retry in
// 30s", "running"; shared by the detail view and the table.
std::string describeState(const wire::Job& job, TimeMs now);

// A payload or result for a terminal: the text when it is printable UTF-8,
// otherwise "<N bytes of binary data; use --json for base64>".
std::string describeBytes(const std::string& bytes);

// The running attempt's last progress report, "40% downloading audio", or
// "-" when the worker sent none.
std::string describeProgress(const wire::Job& job);

}  // namespace gantry::tools
