// A helper server for tests written in Python (the OTLP receiver, the HTTP
// test server), run as a child process with its files in a fresh temp
// directory. The script takes --port-file and writes the port it listens
// on there once it is ready.
//
// Not thread-safe: use from the test's main thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace gantry::test {

class ScriptServer {
 public:
  // Makes the directory "<temp>/<prefix>-XXXXXX". Throws std::runtime_error
  // when it cannot.
  explicit ScriptServer(const std::string& prefix);
  // Stops the script (SIGTERM, then SIGKILL) and removes the directory.
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  // A file in the directory.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Runs `/usr/bin/python3 script args... --port-file <dir>/port` (the
  // distribution's Python, which has the modules the scripts need) with its
  // output in <dir>/<log_name>, and waits for its port. Throws
  // std::runtime_error "<what> did not start: <its output>" when it exits
  // or is not listening within 10 s, which fails the calling test.
  // REQUIRES: called once.
  void start(const std::string& script, std::vector<std::string> args, const std::string& what,
             const std::string& log_name);

  int port() const { return port_; }
  std::string log() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace gantry::test
