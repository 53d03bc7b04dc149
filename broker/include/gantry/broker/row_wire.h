// Conversions between stored rows and wire messages.
#pragma once

#include "gantry.pb.h"
#include "gantry/broker/write_batch.h"

namespace gantry::broker {

wire::Job rowToWire(const JobRow& row);
wire::Attempt attemptToWire(const AttemptRow& row);

}  // namespace gantry::broker
