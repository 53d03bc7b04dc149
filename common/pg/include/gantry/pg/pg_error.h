// The libpqxx exception adapter: every exception that libpqxx (or the
// standard library beneath it) throws becomes a Status here, and nowhere
// else decides what a database error means. Messages never carry a
// password. Stateless; thread-safe.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "gantry/common/status.h"

namespace gantry::pg {

// "host=/run/pg port=5432 dbname=gantry user=gantry": what a connection
// string points at, for messages. Never includes the password. Accepts
// key=value strings and postgresql:// URIs; a malformed string yields
// "(malformed connection string)".
std::string describeTarget(const std::string& conninfo);

// Whether libpq can parse `conninfo` (key=value pairs or a postgresql://
// URI), for checking a setting at start without connecting.
bool isWellFormedConninfo(const std::string& conninfo);

// Maps an exception to a Status whose message starts with `context` (what
// was being done, e.g. "commit") and has any connection-string password
// masked (maskConnectionSecrets):
//   connection lost, commit outcome unknown, server shutting down, out of
//   disk/memory/connections, lock timeout, serialization failure
//                                              -> kUnavailable (retry later)
//   schema objects missing                     -> kFailedPrecondition
//   anything else                              -> kInternal
Status statusFromException(const std::exception& error, std::string_view context);

// True when `error` means the connection can no longer be used and must be
// replaced (lost connection, commit outcome unknown).
bool isConnectionLoss(const std::exception& error);

// True when the server refused a statement for the values it was given
// (SQLSTATE class 22, data exception, or 23, integrity constraint
// violation): running it again with the same values cannot succeed.
bool isDataError(const std::exception& error);

// Returns `text` with every occurrence of `secret` replaced by
// kMaskedSecret (no-op when `secret` is empty).
std::string redact(std::string text, const std::string& secret);

}  // namespace gantry::pg
