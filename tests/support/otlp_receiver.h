// A stand-in OpenTelemetry collector for tests: runs otlp_receiver.py (next
// to this file) in a child process. It decodes OTLP/HTTP protobuf exports
// with the official .proto definitions through Python's protobuf runtime,
// independently of Gantry's encoder, and records each span as a JSON object
// (fields: see otlp_receiver.py). For any suite that checks spans: point a
// process's OTEL_EXPORTER_OTLP_ENDPOINT at endpoint(), then waitForSpans().
//
// Not thread-safe: use from the test's main thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/script_server.h"

namespace gantry::test {

struct OtlpReceiverOptions {
  // HTTP status to answer with instead of accepting (e.g. 503); 200 accepts.
  int status = 200;
  // With a failing status: only the first `fail_first` requests get it, the
  // rest are accepted. Negative: every request gets it.
  int fail_first = -1;
  // Retry-After (seconds) sent with a failing status.
  std::optional<int> retry_after_s{};
  // partial_success.rejected_spans in the answer to accepted requests.
  int reject_spans = 0;
};

class OtlpReceiver {
 public:
  // Starts the receiver in a fresh temp directory and waits for its port.
  // Throws std::runtime_error (with its log) when it is not listening within
  // 10 s, which fails the calling test with that message.
  explicit OtlpReceiver(OtlpReceiverOptions options = {});
  // Stops it (SIGTERM, then SIGKILL) and removes the directory.
  ~OtlpReceiver();
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  // The base URL for OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:PORT".
  std::string endpoint() const;
  int port() const { return server_.port(); }

  // Every span received so far, in arrival order.
  std::vector<nlohmann::json> spans() const;
  // Every request so far: path, status answered, content_type, headers
  // (lowercase names), spans (count).
  std::vector<nlohmann::json> requests() const;
  // Waits until at least `n` spans (requests) have arrived, then returns all
  // of them; after `timeout` returns what there is (check its size).
  std::vector<nlohmann::json> waitForSpans(size_t n, std::chrono::milliseconds timeout) const;
  std::vector<nlohmann::json> waitForRequests(size_t n, std::chrono::milliseconds timeout) const;

  // The receiver's own output, for failure messages.
  std::string log() const;

 private:
  ScriptServer server_;
};

// Spans whose "name" is `name`.
std::vector<nlohmann::json> spansNamed(const std::vector<nlohmann::json>& spans,
                                       const std::string& name);

}  // namespace gantry::test
