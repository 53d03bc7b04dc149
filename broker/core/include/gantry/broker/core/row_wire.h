// Conversions between stored rows and wire messages.
#pragma once

#include "gantry.pb.h"
#include "gantry/broker/core/write_batch.h"

namespace gantry::broker {

// Takes the row by value so callers that are done with it can move it in.
wire::Job rowToWire(JobRow row);
wire::Attempt attemptToWire(const AttemptRow& row);

}  // namespace gantry::broker
