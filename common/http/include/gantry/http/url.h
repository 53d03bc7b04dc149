// The parts of an http(s) URL that messages, spans and configuration checks
// need, parsed by libcurl's own URL parser so they agree with what the
// client will connect to. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/common/status.h"

namespace gantry::http {

struct UrlParts {
  std::string scheme{};  // "http" or "https", lowercase
  std::string host{};    // without brackets for IPv6 literals
  uint16_t port = 0;     // explicit, else the scheme's default
  std::string path{};    // "/" at least
  bool has_query = false;

  // scheme://host[:port]/path: the URL without query, fragment or user info
  // (OTel's url.full for a request whose query may hold secrets).
  std::string withoutQuery() const;
  // host[:port]/path, the port only when not the scheme's default: how
  // error messages name an endpoint.
  std::string target() const;
};

// kInvalidArgument naming the rule when `url` is not an absolute http:// or
// https:// URL with a host. The message never quotes a query string.
Result<UrlParts> parseUrl(std::string_view url);

}  // namespace gantry::http
