// One HTTP request as the simulator's endpoints see it, and their answer.
// Plain values, independent of Beast so endpoints stay simple to read.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gantry::sim {

struct HttpRequest {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded; the last of repeats
  std::string authorization;                 // the Authorization header
  std::string content_type;
  std::string base_url;  // "http://127.0.0.1:8080", as the client addressed us
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Answer after this long (a timer; the thread is not held).
  int64_t delay_ms = 0;
  // Close the connection without answering (an outage's "close" mode).
  bool drop_connection = false;
};

using RequestHandler = std::function<HttpReply(const HttpRequest&)>;

inline HttpReply jsonReply(int status, const nlohmann::json& body) {
  HttpReply reply;
  reply.status = status;
  reply.body = body.dump();
  return reply;
}

}  // namespace gantry::sim
