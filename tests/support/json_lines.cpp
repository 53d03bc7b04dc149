#include "support/json_lines.h"

#include <fstream>
#include <sstream>
#include <thread>

namespace gantry::test {
namespace {

// Files have no event to wait on without inotify plumbing; poll briefly.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

}  // namespace

std::string readTextFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<nlohmann::json> readJsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  const std::string text = readTextFile(path);
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    out.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

std::vector<nlohmann::json> waitForJsonLines(const std::string& path, size_t n,
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

}  // namespace gantry::test
