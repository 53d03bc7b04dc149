// Checks, before the broker waits for or takes the database, that it will be
// able to bind an endpoint: a standby with a bad endpoint would otherwise
// wait for hours and fail only at the failover it exists for. It does not
// bind the endpoint itself (the owner on the same host may hold it): it
// checks the transport, that a tcp host is an address or interface of this
// host (by binding a throwaway socket on it with port 0), the port, and
// that an ipc socket's folder exists and is writable.
#pragma once

#include <string>

#include "gantry/common/status.h"

namespace gantry::broker {

// kInvalidArgument naming `flag`, the endpoint and what is wrong.
Status checkBindable(const std::string& flag, const std::string& endpoint);

}  // namespace gantry::broker
