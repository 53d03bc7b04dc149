// Records that test helper processes (the OTLP receiver, the HTTP test
// server) write as one JSON object a line, and the tests read.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gantry::test {

// The whole file; empty when it does not exist.
std::string readTextFile(const std::string& path);

// Every complete line as JSON: the writer may be in the middle of the last.
std::vector<nlohmann::json> readJsonLines(const std::string& path);

// Polls until the file has at least `n` complete lines or `timeout` passes;
// returns what there is (check its size).
std::vector<nlohmann::json> waitForJsonLines(const std::string& path, size_t n,
                                             std::chrono::milliseconds timeout);

}  // namespace gantry::test
