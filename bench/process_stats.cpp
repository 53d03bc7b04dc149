#include "process_stats.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gantry::bench {
namespace {

// Fields of /proc/<pid>/stat after the command, which is in parentheses and
// may itself contain spaces.
std::vector<std::string> statFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return {};
  }
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) {
    fields.push_back(f);
  }
  return fields;  // fields[0] is field 3 (state)
}

// A "Name:   12345 kB" line of /proc/<pid>/status, in bytes.
uint64_t statusBytes(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) {
      return std::stoull(line.substr(field.size())) * 1024;
    }
  }
  return 0;
}

}  // namespace

uint64_t residentBytes(pid_t pid) { return statusBytes(pid, "VmRSS:"); }

uint64_t peakResidentBytes(pid_t pid) { return statusBytes(pid, "VmHWM:"); }

double cpuSeconds(pid_t pid) {
  const auto fields = statFields(pid);
  if (fields.size() < 13) {
    return 0;
  }
  // utime and stime are fields 14 and 15, in clock ticks.
  const double ticks = std::stod(fields[11]) + std::stod(fields[12]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::vector<pid_t> withChildren(pid_t root) {
  std::vector<pid_t> out = {root};
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    const auto fields = statFields(pid);
    if (fields.size() > 1 && std::stol(fields[1]) == root) {  // field 4: ppid
      out.push_back(pid);
    }
  }
  return out;
}

std::map<pid_t, double> cpuByPid(const std::vector<pid_t>& pids) {
  std::map<pid_t, double> cpu;
  for (pid_t pid : pids) {
    cpu[pid] = cpuSeconds(pid);
  }
  return cpu;
}

double cpuSince(const std::map<pid_t, double>& before, const std::vector<pid_t>& pids) {
  double total = 0;
  for (const auto& [pid, now] : cpuByPid(pids)) {
    const auto it = before.find(pid);
    total += std::max(0.0, now - (it != before.end() ? it->second : 0.0));
  }
  return total;
}

CpuMeter::CpuMeter(std::vector<pid_t> pids) : pids_(std::move(pids)) {
  for (pid_t pid : pids_) {
    start_.push_back(cpuSeconds(pid));
  }
}

double CpuMeter::elapsed() const {
  double total = 0;
  for (size_t i = 0; i < pids_.size(); ++i) {
    const double now = cpuSeconds(pids_[i]);
    if (now >= start_[i]) {
      total += now - start_[i];
    }
  }
  return total;
}

}  // namespace gantry::bench
