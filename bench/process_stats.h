// What /proc says about a process: resident memory and CPU time. Linux only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <vector>

namespace gantry::bench {

// VmRSS of `pid` in bytes; 0 when the process is gone.
uint64_t residentBytes(pid_t pid);
// VmHWM (peak resident memory) of `pid` in bytes; 0 when the process is gone.
uint64_t peakResidentBytes(pid_t pid);

// User plus system CPU time `pid` has used so far, in seconds; 0 when gone.
double cpuSeconds(pid_t pid);

// `root` and every process whose parent is `root` (one level: Postgres
// backends and auxiliary processes are children of the postmaster).
std::vector<pid_t> withChildren(pid_t root);

// CPU seconds of each of `pids` so far, to measure from with cpuSince.
std::map<pid_t, double> cpuByPid(const std::vector<pid_t>& pids);
// CPU seconds `pids` used since `before` was taken. Unlike CpuMeter, for a
// set that gains members (Postgres gains a backend per new connection):
// processes started since count from zero; those that ended lose their
// share.
double cpuSince(const std::map<pid_t, double>& before, const std::vector<pid_t>& pids);

// CPU seconds of a set of processes between two points in time. Processes
// that exit in between lose their share, so sample only sets that live
// through the interval.
class CpuMeter {
 public:
  explicit CpuMeter(std::vector<pid_t> pids);
  // CPU seconds used by the set since construction.
  double elapsed() const;

 private:
  std::vector<pid_t> pids_;
  std::vector<double> start_;
};

}  // namespace gantry::bench
