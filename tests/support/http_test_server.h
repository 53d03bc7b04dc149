// A scriptable HTTP server for tests: runs http_test_server.py (next to
// this file) in a child process. Each request's query string says how to
// answer it (status, headers, body, delay, fail_first: see the script), so
// one server serves every scenario of a test, and a worker's --http-kind URL
// can carry its scenario. Every request is recorded (method, path, query,
// headers with lowercase names, body, connection number, received_ms).
//
// Not thread-safe: use from the test's main thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/script_server.h"

namespace gantry::test {

struct HttpTestServerOptions {
  // HTTPS with a fresh self-signed certificate for 127.0.0.1 and localhost
  // (caFile() names it).
  bool tls = false;
};

class HttpTestServer {
 public:
  // Starts the server and waits for its port. Throws std::runtime_error
  // (with its log) when it is not listening within 10 s.
  explicit HttpTestServer(HttpTestServerOptions options = {});

  // "http://127.0.0.1:PORT" + path_and_query ("https://" with TLS).
  std::string url(const std::string& path_and_query) const;
  int port() const { return server_.port(); }
  // The self-signed certificate to trust; empty without TLS.
  std::string caFile() const;

  std::vector<nlohmann::json> requests() const;
  // Waits until at least `n` requests arrived; after `timeout` returns what
  // there is (check its size).
  std::vector<nlohmann::json> waitForRequests(size_t n, std::chrono::milliseconds timeout) const;
  // Distinct TCP connections the recorded requests came on.
  size_t connections() const;

  std::string log() const;

 private:
  ScriptServer server_;
  bool tls_ = false;
};

}  // namespace gantry::test
