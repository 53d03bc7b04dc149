#include "gantry/common/codec.h"

namespace gantry {

Decoded decodeEnvelope(std::string_view bytes) {
  Decoded out;
  if (bytes.size() > kMaxEnvelopeBytes) {
    out.status = {StatusCode::kMalformed, "message of " + std::to_string(bytes.size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(kMaxEnvelopeBytes)};
    return out;
  }
  if (!out.envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    out.envelope.Clear();
    out.status = {StatusCode::kMalformed, "message is not a protocol envelope"};
    return out;
  }
  if (out.envelope.version() != kProtocolVersion) {
    out.status = {StatusCode::kUnsupportedVersion,
                  "protocol version " + std::to_string(out.envelope.version()) +
                      " is not supported; this peer speaks " + std::to_string(kProtocolVersion)};
    return out;
  }
  if (out.envelope.body_case() == wire::Envelope::BODY_NOT_SET) {
    out.status = {StatusCode::kUnknownMessage, "envelope has no message body this peer knows"};
  }
  return out;
}

std::string encodeEnvelope(wire::Envelope& envelope) {
  envelope.set_version(kProtocolVersion);
  return envelope.SerializeAsString();
}

wire::Envelope makeErrorEnvelope(wire::ErrorCode code, std::string message,
                                 uint64_t correlation_id) {
  wire::Envelope env;
  env.set_correlation_id(correlation_id);
  auto* error = env.mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  return env;
}

wire::ErrorCode toWireError(StatusCode code) {
  switch (code) {
    case StatusCode::kMalformed:
      return wire::MALFORMED;
    case StatusCode::kUnsupportedVersion:
      return wire::UNSUPPORTED_VERSION;
    case StatusCode::kUnknownMessage:
      return wire::UNKNOWN_MESSAGE;
    case StatusCode::kInvalidArgument:
      return wire::INVALID_ARGUMENT;
    case StatusCode::kResourceExhausted:
      return wire::QUEUE_FULL;
    case StatusCode::kNotFound:
      return wire::NOT_FOUND;
    case StatusCode::kUnavailable:
      return wire::UNAVAILABLE;
    case StatusCode::kFailedPrecondition:
      return wire::FAILED_PRECONDITION;
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return wire::ERROR_CODE_UNSPECIFIED;
}

StatusCode fromWireError(wire::ErrorCode code) {
  switch (code) {
    case wire::MALFORMED:
      return StatusCode::kMalformed;
    case wire::UNSUPPORTED_VERSION:
      return StatusCode::kUnsupportedVersion;
    case wire::UNKNOWN_MESSAGE:
      return StatusCode::kUnknownMessage;
    case wire::INVALID_ARGUMENT:
      return StatusCode::kInvalidArgument;
    case wire::QUEUE_FULL:
      return StatusCode::kResourceExhausted;
    case wire::NOT_FOUND:
      return StatusCode::kNotFound;
    case wire::UNAVAILABLE:
      return StatusCode::kUnavailable;
    case wire::FAILED_PRECONDITION:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInternal;
  }
}

const char* bodyName(const wire::Envelope& envelope) {
  const auto* field = wire::Envelope::descriptor()->FindFieldByNumber(envelope.body_case());
  return field == nullptr ? "none" : field->name().c_str();
}

}  // namespace gantry
