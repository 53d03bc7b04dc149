// gantryctl's exit codes and the wording of its failures. Scripts branch on
// the code; people read the message, which says what to do next.
#pragma once

#include <string>

#include "gantry/common/status.h"

namespace gantry::tools {

enum class ExitCode : int {
  kOk = 0,
  // The broker (or the database, for migrate) refused the request or the
  // operation failed: queue full, job not dead, protocol mismatch, ...
  kFailed = 1,
  // Bad flags or inputs, detected before anything was contacted.
  kUsage = 2,
  // The broker or the database could not be reached (or did not answer).
  kUnavailable = 3,
  // The job (or other named object) does not exist.
  kNotFound = 4,
};

inline int toInt(ExitCode code) { return static_cast<int>(code); }

// The exit code for a failure reported by the broker or the database.
// Usage errors are found locally and use ExitCode::kUsage directly; an
// invalid-argument answer from the broker is a refusal (kFailed).
ExitCode exitCodeFor(const Status& status);

// Who produced a failure, for the advice attached to it.
enum class Peer { kBroker, kDatabase };

// The status message, with any connection-string password masked, plus,
// where the code implies one, what to do about it.
std::string describeFailure(const Status& status, Peer peer = Peer::kBroker);

// The exit-code table for the --help footer.
std::string exitCodeHelp();

}  // namespace gantry::tools
