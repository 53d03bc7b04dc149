// Percent-encoding and query strings. Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gantry::sim {

// nullopt when a '%' is not followed by two hex digits. `plus_is_space`
// for query strings (application/x-www-form-urlencoded).
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space);
// Everything but unreserved characters (RFC 3986) percent-encoded.
std::string percentEncode(std::string_view text);
// "a=1&b=x%20y" -> {a: 1, b: "x y"}; nullopt when an escape is malformed.
std::optional<std::map<std::string, std::string>> parseQuery(std::string_view query);

}  // namespace gantry::sim
