#include "gantry/common/status.h"

namespace gantry {

const char* statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kResourceExhausted:
      return "resource exhausted";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kMalformed:
      return "malformed";
    case StatusCode::kUnsupportedVersion:
      return "unsupported version";
    case StatusCode::kUnknownMessage:
      return "unknown message";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (isOk()) {
    return "ok";
  }
  return std::string(statusCodeName(code_)) + ": " + message_;
}

}  // namespace gantry
