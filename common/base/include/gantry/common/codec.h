// Encoding and decoding of wire envelopes. Decoding is the single entry point
// for bytes from peers: it never throws and never trusts sizes or versions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gantry.pb.h"
#include "gantry/common/status.h"

namespace gantry {

inline constexpr uint32_t kProtocolVersion = wire::PROTOCOL_VERSION_CURRENT;

// Largest envelope a peer may send. Bounds a submit batch; per-job payloads
// have their own, smaller limit (JobLimits).
inline constexpr size_t kMaxEnvelopeBytes = 64u << 20;

// Longest progress message kept; workers cut longer ones, and the broker
// cuts what a peer sends anyway.
inline constexpr size_t kMaxProgressMessageBytes = 1024;

// Parses `bytes` as an Envelope. Fails with kMalformed for undecodable or
// oversized input, kUnsupportedVersion for another protocol version and
// kUnknownMessage for an envelope without a body this build knows.
// The decoded envelope is returned even on a version error so the caller can
// echo the correlation id in its error reply.
struct Decoded {
  wire::Envelope envelope;
  Status status;
};
Decoded decodeEnvelope(std::string_view bytes);

// Serializes with the current protocol version stamped in.
std::string encodeEnvelope(wire::Envelope& envelope);

// An error reply to a request with the given correlation id.
wire::Envelope makeErrorEnvelope(wire::ErrorCode code, std::string message,
                                 uint64_t correlation_id);
wire::ErrorCode toWireError(StatusCode code);
StatusCode fromWireError(wire::ErrorCode code);

const char* bodyName(const wire::Envelope& envelope);

}  // namespace gantry
