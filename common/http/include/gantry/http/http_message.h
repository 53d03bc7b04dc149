// The values one HTTP exchange is made of: a request, and what came of it
// (a response of any status, or a transport error). Plain values,
// thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gantry/common/status.h"

namespace gantry::http {

// Header fields in the order they were added or received. Names compare
// case-insensitively, as RFC 9110 says they do.
class HttpHeaders {
 public:
  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<std::pair<std::string, std::string>> fields)
      : fields_(fields) {}

  void add(std::string name, std::string value);
  // The value of the first field named `name`; nullopt when there is none.
  std::optional<std::string_view> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct HttpRequest {
  std::string method = "GET";  // any token: GET, POST, PUT, PATCH, DELETE, HEAD, ...
  std::string url;             // http:// or https:// only
  HttpHeaders headers{};
  std::string body{};  // sent as is; empty sends none (except for POST: an empty one)
};

struct HttpResponse {
  long status = 0;  // libcurl's type for it
  HttpHeaders headers{};
  std::string body{};  // at most HttpClientOptions::max_response_bytes
};

// Why an exchange produced no response.
enum class HttpErrorKind {
  kInvalidRequest,  // the request itself is wrong: bad URL, scheme, method
  kDns,             // the host name does not resolve
  kConnect,         // refused, reset, closed early, TLS handshake broken
  kTimeout,         // request timeout or the caller's deadline passed
  kTls,             // the peer's certificate did not verify (or the CA file is unusable)
  kTooLarge,        // the response body exceeded max_response_bytes
  kCancelled,       // the caller's cancellation predicate said stop
};

// "dns", "connect", "timeout", ...: for error.type attributes and metrics.
const char* httpErrorKindName(HttpErrorKind kind);

struct HttpError {
  HttpErrorKind kind = HttpErrorKind::kConnect;
  // For people: names the method, host and path (never the query) and the
  // cause, e.g. "POST api.example/v1/jobs: connection refused (...)".
  std::string message{};
};

// A response (whatever its status) or the error that prevented one, plus
// what the exchange was, for messages: the method and the URL's host and
// path without the query, which may hold secrets.
class HttpResult {
 public:
  HttpResult(std::string method, std::string target, HttpResponse response)
      : method_(std::move(method)), target_(std::move(target)), value_(std::move(response)) {}
  HttpResult(std::string method, std::string target, HttpError error)
      : method_(std::move(method)), target_(std::move(target)), value_(std::move(error)) {}

  bool hasResponse() const { return std::holds_alternative<HttpResponse>(value_); }
  // REQUIRES: hasResponse()
  const HttpResponse& response() const& { return std::get<HttpResponse>(value_); }
  HttpResponse&& response() && { return std::get<HttpResponse>(std::move(value_)); }
  // REQUIRES: !hasResponse()
  const HttpError& error() const { return std::get<HttpError>(value_); }

  const std::string& method() const { return method_; }
  // "host[:port]/path", e.g. "graph.example/v1.0/me/events".
  const std::string& target() const { return target_; }

  // Ok for a response of any status; kUnavailable with the error's message
  // otherwise (kInvalidArgument for kInvalidRequest).
  Status transportStatus() const;

 private:
  std::string method_;
  std::string target_;
  std::variant<HttpResponse, HttpError> value_;
};

}  // namespace gantry::http
