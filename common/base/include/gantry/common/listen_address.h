// HOST:PORT addresses a process listens on for HTTP (metrics and health
// probes). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/common/status.h"

namespace gantry {

struct ListenAddress {
  // An IPv4 address ("0.0.0.0" for every interface), "localhost", or an
  // IPv6 address without its brackets ("::1").
  std::string host;
  // 0 asks the system for a free port (tests, several processes per host).
  uint16_t port = 0;
};

// Parses "HOST:PORT", where HOST is an IPv4 address, `localhost` or an IPv6
// address in brackets ("[::]:9090"), and PORT is 0..65535. Host names other
// than localhost are refused: which interface a name resolves to is a
// guess, and a listener must know. On error, a kInvalidArgument whose
// message is the rule broken, to follow the quoted value ("must be
// HOST:PORT, e.g. 127.0.0.1:9090").
Result<ListenAddress> parseListenAddress(std::string_view text);

}  // namespace gantry
