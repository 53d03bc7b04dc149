// The libcurl adapter: POSTs one body and returns what came back, as values
// (libcurl reports errors as codes; nothing here throws). Owns one easy
// handle, reused across posts so the connection to the collector is kept
// alive. Not thread-safe: the exporter thread owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gantry/common/status.h"

namespace gantry::trace {

struct HttpResponse {
  long status = 0;                        // libcurl's type for it; 0 until a response arrives
  std::string body;                       // at most kMaxResponseBody bytes are kept
  std::optional<int64_t> retry_after_ms;  // from a Retry-After header
};

struct HttpPost {
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  int64_t timeout_ms = 10000;        // the whole exchange
  int64_t connect_timeout_ms = 2000;
};

class HttpClient {
 public:
  // `abandon` is called during a transfer (about once a second while it
  // waits); returning true aborts it.
  explicit HttpClient(std::function<bool()> abandon);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A response of any status is a value; no response (name lookup, connect,
  // timeout, abandon) is an unavailable Status with curl's reason.
  Result<HttpResponse> post(const HttpPost& request);

 private:
  void* curl_;  // CURL*, kept out of this header
  std::function<bool()> abandon_;
};

}  // namespace gantry::trace
