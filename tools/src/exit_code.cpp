#include "gantry/tools/exit_code.h"

#include "gantry/common/secret_mask.h"

namespace gantry::tools {

ExitCode exitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return ExitCode::kOk;
    case StatusCode::kNotFound:
      return ExitCode::kNotFound;
    case StatusCode::kUnavailable:
      return ExitCode::kUnavailable;
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kMalformed:
    case StatusCode::kUnsupportedVersion:
    case StatusCode::kUnknownMessage:
    case StatusCode::kInternal:
      return ExitCode::kFailed;
  }
  return ExitCode::kFailed;
}

std::string describeFailure(const Status& status, Peer peer) {
  // What the broker or the database said may quote a connection string.
  std::string message = maskConnectionSecrets(status.message());
  switch (status.code()) {
    case StatusCode::kResourceExhausted:
      // The broker names the queue and its capacity; the remedy is ours.
      if (message.find("--queue-capacity") != std::string::npos) {
        return message;
      }
      return message + ": wait for it to drain or raise --queue-capacity on the broker";
    case StatusCode::kUnavailable:
      if (peer == Peer::kDatabase) {
        return message + " (check --database-url or DATABASE_URL and that Postgres is running)";
      }
      return message +
             " (is the broker running there and able to reach Postgres? point --broker or "
             "GANTRY_CLIENT_ENDPOINT at it, or raise --timeout if it is busy)";
    case StatusCode::kMalformed:
    case StatusCode::kUnsupportedVersion:
    case StatusCode::kUnknownMessage:
      return message + " (gantryctl and the broker must come from compatible releases)";
    default:
      return message;
  }
}

std::string exitCodeHelp() {
  return "Exit codes:\n"
         "  0  ok\n"
         "  1  the broker refused or the operation failed (queue full, job not dead, ...)\n"
         "  2  usage error: bad flags, variables or inputs, found before contacting anything\n"
         "  3  broker or database unreachable (no reply within --timeout)\n"
         "  4  not found\n";
}

}  // namespace gantry::tools
