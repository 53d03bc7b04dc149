// An HTTP/1.1 client for handlers that call external APIs, on libcurl.
//
// - TLS always verifies the peer's certificate chain and host name; there is
//   deliberately no switch to turn that off. A private CA goes in ca_file.
// - Connections are kept alive and reused: the client keeps a small pool of
//   idle libcurl transfers, each with its connection cache, and hands the
//   most recently used one out first, so sequential calls to one host use
//   one connection.
// - Redirects are not followed (a POST that is redirected is a
//   configuration error to surface, not to guess about).
// - Every send() has a deadline and a cancellation predicate; the predicate
//   is polled while the transfer runs (at least every kCancelPollMs), so a
//   cancel ends a call in progress at once rather than when it times out.
//
// Thread-safe: send() may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gantry/http/http_message.h"

namespace gantry::http {

struct HttpClientOptions {
  // PEM bundle of the CAs to trust; empty = the system's store. Set it for
  // a private CA; it replaces the system store rather than adding to it.
  std::string ca_file{};
  // Longest wait for TCP and TLS setup. Short, so a dead host fails fast
  // and the retry goes elsewhere; too short fails on slow links.
  uint32_t connect_timeout_ms = 5000;
  // Longest a whole exchange may take; the caller's deadline shortens it.
  uint32_t request_timeout_ms = 30000;
  // Larger response bodies fail the call (kTooLarge) instead of filling
  // memory; sized for API answers, not downloads.
  uint64_t max_response_bytes = uint64_t{16} << 20;
  std::string user_agent = "gantry";
};

// The caller's limits on one send().
struct SendLimits {
  // No response by then: kTimeout. nullopt: only request_timeout_ms.
  std::optional<std::chrono::steady_clock::time_point> deadline{};
  // Polled during the transfer; returning true aborts it (kCancelled).
  // Called on the sending thread. Empty: never cancelled.
  std::function<bool()> cancelled{};
};

class HttpClient {
 public:
  // How often a waiting transfer checks SendLimits::cancelled.
  static constexpr int kCancelPollMs = 50;

  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and waits for the whole response. A response of any
  // status is a response; see HttpErrorKind for the rest.
  HttpResult send(const HttpRequest& request, const SendLimits& limits = {});

  const HttpClientOptions& options() const { return options_; }

 private:
  struct Transfer;  // a libcurl multi and easy handle pair; http_client.cpp

  std::unique_ptr<Transfer> takeTransfer();
  void giveBack(std::unique_ptr<Transfer> transfer);

  const HttpClientOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Transfer>> idle_;  // GUARDED_BY(mutex_); most recent last
};

}  // namespace gantry::http
