// Test support for the provider simulator: the real gantry-provider-sim
// binary started as a child process on an ephemeral port (found through
// its --port-file), and a small blocking HTTP client on libcurl. Header
// only, as the suite builds its *_test.cpp files alone.
#pragma once

#include <curl/curl.h>
#include <stdlib.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/http_get.h"

namespace gantry::test::sim {

using nlohmann::json;
using namespace std::chrono_literals;

struct Reply {
  long status = 0;  // 0 when no HTTP answer came
  CURLcode curl = CURLE_OK;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  json asJson() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Request {
  Request(std::string m, std::string u, std::vector<std::string> h = {}, std::string ca = "")
      : method(std::move(m)), url(std::move(u)), headers(std::move(h)), ca_file(std::move(ca)) {}

  std::string method;
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string ca_file;               // for https: trust exactly this
  std::string body;
  long timeout_ms = 30000;
};

inline size_t collectBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

inline size_t collectHeader(char* data, size_t size, size_t n, void* out) {
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

// One blocking request on a fresh connection.
inline Reply perform(const Request& request) {
  Reply reply;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_slist* list = nullptr;
  for (const auto& h : request.headers) {
    list = curl_slist_append(list, h.c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (request.method != "GET" && request.method != "DELETE") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (!request.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply.headers);
  reply.curl = curl_easy_perform(c);
  if (reply.curl == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  }
  curl_slist_free_all(list);
  return reply;
}

inline bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

inline std::string makeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/gantry-sim-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return pattern;
}

// A running gantry-provider-sim. The fixed anchor makes the data set the
// same in every run.
class SimProcess {
 public:
  static constexpr int64_t kAnchorMs = 1767225600000;  // 2026-01-01T00:00:00Z

  explicit SimProcess(std::vector<std::string> extra_args = {}, bool tls = false) {
    dir_ = makeTempDir();
    metrics_port_ = freeLoopbackPort();
    std::vector<std::string> args = {
        "--listen",         "127.0.0.1:0",
        "--port-file",      dir_ + "/port",
        "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port_),
        "--anchor-unix-ms", std::to_string(kAnchorMs)};
    if (tls) {
      args.push_back("--tls-self-signed");
      args.push_back(dir_ + "/tls");
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ =
        std::make_unique<ChildProcess>(builtBinary("tools/provider_sim/gantry-provider-sim"), args,
                                       std::map<std::string, std::string>{}, dir_ + "/sim.log");
    std::string address;
    const bool up = waitFor(
        [&] {
          std::ifstream in(dir_ + "/port");
          return static_cast<bool>(in >> address) || !process_->running();
        },
        30s);
    if (!up || address.empty()) {
      throw std::runtime_error("the simulator did not start:\n" + process_->log());
    }
    address_ = address;
    base_ = std::string(tls ? "https" : "http") + "://" + address;
  }
  ~SimProcess() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const std::string& base() const { return base_; }
  const std::string& address() const { return address_; }
  int port() const { return std::stoi(address_.substr(address_.rfind(':') + 1)); }
  int metricsPort() const { return metrics_port_; }
  const std::string& dir() const { return dir_; }
  ChildProcess& process() { return *process_; }

  Reply get(const std::string& path, const std::string& token = "") const {
    Request r{"GET", base_ + path};
    if (!token.empty()) {
      r.headers.push_back("Authorization: Bearer " + token);
    }
    return perform(r);
  }
  Reply send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& token = "",
             const std::string& content_type = "application/json") const {
    Request r{method, base_ + path};
    r.body = body;
    r.headers.push_back("Content-Type: " + content_type);
    if (!token.empty()) {
      r.headers.push_back("Authorization: Bearer " + token);
    }
    return perform(r);
  }
  json admin(const std::string& path) const { return get("/admin/" + path).asJson(); }
  json dataset() const { return admin("dataset"); }
  json stats(const std::string& resource) const { return admin("stats")["resources"][resource]; }
  Reply addFault(const json& fault) const { return send("POST", "/admin/faults", fault.dump()); }

 private:
  std::string dir_;
  int metrics_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::string address_;
  std::string base_;
};

}  // namespace gantry::test::sim
