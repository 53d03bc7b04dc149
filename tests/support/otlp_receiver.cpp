#include "support/otlp_receiver.h"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace gantry::test {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
// Files have no event to wait on without inotify plumbing; poll briefly.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string makeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "gantry-otlp-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  return pattern;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Complete lines only: the receiver may be writing the last one.
std::vector<nlohmann::json> readJsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  const std::string text = readFile(path);
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    out.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

std::vector<nlohmann::json> waitForLines(const std::string& path, size_t n,
                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto lines = readJsonLines(path);
    if (lines.size() >= n || std::chrono::steady_clock::now() >= deadline) {
      return lines;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

OtlpReceiver::OtlpReceiver(OtlpReceiverOptions options) : dir_(makeTempDir()) {
  std::vector<std::string> args = {
      std::string(GANTRY_SOURCE_DIR) + "/tests/support/otlp_receiver.py",
      "--proto-dir",
      GANTRY_OTLP_PYTHON_DIR,
      "--port-file",
      dir_ + "/port",
      "--out",
      dir_ + "/spans.jsonl",
      "--requests",
      dir_ + "/requests.jsonl",
      "--status",
      std::to_string(options.status),
      "--fail-first",
      std::to_string(options.fail_first),
      "--reject-spans",
      std::to_string(options.reject_spans),
  };
  if (options.retry_after_s) {
    args.insert(args.end(), {"--retry-after", std::to_string(*options.retry_after_s)});
  }
  // /usr/bin/python3 explicitly: the distribution's, which has python3-protobuf
  // (a python3 found first on PATH may not).
  process_ = std::make_unique<ChildProcess>(
      "/usr/bin/python3", args, std::map<std::string, std::string>{}, dir_ + "/receiver.log");
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (port_ == 0) {
    const std::string text = readFile(dir_ + "/port");
    if (!text.empty()) {
      port_ = std::stoi(text);
      break;
    }
    if (!process_->running() || std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("the OTLP test receiver did not start: " + process_->log());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

OtlpReceiver::~OtlpReceiver() {
  process_->signal(SIGTERM);
  process_->waitExit(std::chrono::seconds(5));
  process_.reset();  // SIGKILLs it if it is still running
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string OtlpReceiver::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<nlohmann::json> OtlpReceiver::spans() const {
  return readJsonLines(dir_ + "/spans.jsonl");
}

std::vector<nlohmann::json> OtlpReceiver::requests() const {
  return readJsonLines(dir_ + "/requests.jsonl");
}

std::vector<nlohmann::json> OtlpReceiver::waitForSpans(size_t n,
                                                       std::chrono::milliseconds timeout) const {
  return waitForLines(dir_ + "/spans.jsonl", n, timeout);
}

std::vector<nlohmann::json> OtlpReceiver::waitForRequests(size_t n,
                                                          std::chrono::milliseconds timeout) const {
  return waitForLines(dir_ + "/requests.jsonl", n, timeout);
}

std::string OtlpReceiver::log() const { return process_->log(); }

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
