// Conversions from the job record (job_record.h) to wire messages. Every
// field of the record has a field of the same name in wire::JobSpec,
// wire::Job or wire::Attempt; tests/broker/core/row_wire_test.cpp checks
// that by name, so a field added to the record cannot be forgotten here.
#pragma once

#include "gantry.pb.h"
#include "gantry/broker/core/job_record.h"

namespace gantry::broker {

// Takes the row by value so callers that are done with it can move it in.
// The lease stays on the broker: the wire form of a job does not carry it.
wire::Job rowToWire(JobRow row);
wire::Attempt attemptToWire(const AttemptRow& row);

// A partial success's degradations as stored (JobStatus::degraded): a JSON
// array of {"what", "reason"}; and back (stored text that does not parse
// yields one entry saying so, never an exception).
std::string degradedToJson(const google::protobuf::RepeatedPtrField<wire::Degradation>& degraded);
void degradedFromJson(const std::string& json,
                      google::protobuf::RepeatedPtrField<wire::Degradation>& out);

}  // namespace gantry::broker
