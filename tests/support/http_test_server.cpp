#include "support/http_test_server.h"

#include <set>

#include "support/json_lines.h"

namespace gantry::test {

HttpTestServer::HttpTestServer(HttpTestServerOptions options)
    : server_("gantry-http"), tls_(options.tls) {
  std::vector<std::string> args = {"--requests", server_.path("requests.jsonl")};
  if (tls_) {
    args.insert(args.end(), {"--tls-dir", server_.path("")});
  }
  server_.start(std::string(GANTRY_SOURCE_DIR) + "/tests/support/http_test_server.py", args,
                "the HTTP test server", "server.log");
}

std::string HttpTestServer::url(const std::string& path_and_query) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(server_.port()) +
         path_and_query;
}

std::string HttpTestServer::caFile() const { return tls_ ? server_.path("cert.pem") : ""; }

std::vector<nlohmann::json> HttpTestServer::requests() const {
  return readJsonLines(server_.path("requests.jsonl"));
}

std::vector<nlohmann::json> HttpTestServer::waitForRequests(
    size_t n, std::chrono::milliseconds timeout) const {
  return waitForJsonLines(server_.path("requests.jsonl"), n, timeout);
}

size_t HttpTestServer::connections() const {
  std::set<int> seen;
  for (const auto& request : requests()) {
    seen.insert(request.at("connection").get<int>());
  }
  return seen.size();
}

std::string HttpTestServer::log() const { return server_.log(); }

}  // namespace gantry::test
