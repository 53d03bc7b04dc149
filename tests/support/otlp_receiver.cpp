#include "support/otlp_receiver.h"

#include "support/json_lines.h"

namespace gantry::test {

OtlpReceiver::OtlpReceiver(OtlpReceiverOptions options) : server_("gantry-otlp") {
  std::vector<std::string> args = {
      "--proto-dir",    GANTRY_OTLP_PYTHON_DIR,
      "--out",          server_.path("spans.jsonl"),
      "--requests",     server_.path("requests.jsonl"),
      "--status",       std::to_string(options.status),
      "--fail-first",   std::to_string(options.fail_first),
      "--reject-spans", std::to_string(options.reject_spans),
  };
  if (options.retry_after_s) {
    args.insert(args.end(), {"--retry-after", std::to_string(*options.retry_after_s)});
  }
  server_.start(std::string(GANTRY_SOURCE_DIR) + "/tests/support/otlp_receiver.py", args,
                "the OTLP test receiver", "receiver.log");
}

OtlpReceiver::~OtlpReceiver() = default;

std::string OtlpReceiver::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(server_.port());
}

std::vector<nlohmann::json> OtlpReceiver::spans() const {
  return readJsonLines(server_.path("spans.jsonl"));
}

std::vector<nlohmann::json> OtlpReceiver::requests() const {
  return readJsonLines(server_.path("requests.jsonl"));
}

std::vector<nlohmann::json> OtlpReceiver::waitForSpans(size_t n,
                                                       std::chrono::milliseconds timeout) const {
  return waitForJsonLines(server_.path("spans.jsonl"), n, timeout);
}

std::vector<nlohmann::json> OtlpReceiver::waitForRequests(size_t n,
                                                          std::chrono::milliseconds timeout) const {
  return waitForJsonLines(server_.path("requests.jsonl"), n, timeout);
}

std::string OtlpReceiver::log() const { return server_.log(); }

std::vector<nlohmann::json> spansNamed(const std::vector<nlohmann::json>& spans,
                                       const std::string& name) {
  std::vector<nlohmann::json> out;
  for (const auto& span : spans) {
    if (span.value("name", "") == name) {
      out.push_back(span);
    }
  }
  return out;
}

}  // namespace gantry::test
