#include "support/script_server.h"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/json_lines.h"

namespace gantry::test {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);
// The port file has no event to wait on without inotify plumbing; poll.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string makeTempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  return pattern;
}

}  // namespace

ScriptServer::ScriptServer(const std::string& prefix) : dir_(makeTempDir(prefix)) {}

ScriptServer::~ScriptServer() {
  if (process_) {
    process_->signal(SIGTERM);
    process_->waitExit(kStopTimeout);
    process_.reset();  // SIGKILLs it if it is still running
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ScriptServer::start(const std::string& script, std::vector<std::string> args,
                         const std::string& what, const std::string& log_name) {
  const std::string port_file = path("port");
  args.insert(args.begin(), script);
  args.insert(args.end(), {"--port-file", port_file});
  process_ = std::make_unique<ChildProcess>("/usr/bin/python3", args,
                                            std::map<std::string, std::string>{}, path(log_name));
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (;;) {
    const std::string text = readTextFile(port_file);
    if (!text.empty()) {
      port_ = std::stoi(text);
      return;
    }
    if (!process_->running() || std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error(what + " did not start: " + process_->log());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string ScriptServer::log() const { return process_ ? process_->log() : ""; }

}  // namespace gantry::test
