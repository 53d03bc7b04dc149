// A child process for integration tests: spawned with posix_spawn, output
// appended to a log file, stopped by PID. The destructor SIGKILLs and reaps a
// child that is still running, so a failing test never leaks processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gantry::test {

class ChildProcess {
 public:
  // Throws std::runtime_error when the program cannot be started.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& extra_env, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the child to exit; its exit code (128 + signal when killed),
  // or nullopt if it is still running after `timeout`.
  std::optional<int> waitExit(std::chrono::milliseconds timeout);
  bool running();
  const std::string& logPath() const { return log_path_; }
  std::string log() const;

 private:
  pid_t pid_ = 0;
  bool reaped_ = false;
  int exit_code_ = 0;
  std::string log_path_;
};

// The path of a binary built by this project (e.g. "broker/gantry-broker").
std::string builtBinary(const std::string& relative);

}  // namespace gantry::test
