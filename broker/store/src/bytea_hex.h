// Decoding bytea values as the store's sessions receive them. Pure function;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gantry::broker::store {

// Decodes bytea output in hex form ("\x0a1b..."), as the store's sessions
// request with bytea_output = 'hex'. Throws std::invalid_argument on
// anything else (an adapter turns it into a Status).
std::string decodeByteaHex(std::string_view text);

}  // namespace gantry::broker::store
