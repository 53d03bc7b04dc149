// One measured drain of a backlog: the part the drain scenarios share
// (drain, drain-with-history, drain-mix). They differ in what is stored
// beforehand and in which jobs make up the backlog.
#pragma once

#include <string>
#include <vector>

#include "deployment.h"
#include "scenario.h"
#include "submit_pipeline.h"

namespace gantry::bench {

// Jobs in every drain scenario's backlog.
inline constexpr size_t kDrainJobs = 20'000;

// The figures a drain reports: throughput first, then where the cost went.
std::vector<MetricSpec> drainMetrics();

// Submits kDrainJobs jobs, job i being mix(i), with no worker connected
// and waits for every acknowledgement; then starts 2 workers x 32 slots
// and times them from their start until the last job is recorded as
// succeeded in gantry_job_history. Kills the workers before returning.
// `tag` prefixes the worker ids.
// REQUIRES: the broker is started and no worker is connected; the jobs
// succeed (e.g. noop) and run on those workers.
Sample drainBacklog(Deployment& d, const JobMix& mix, const std::string& tag);

// A backlog of identical noop jobs with empty payloads.
wire::JobSpec noopJob(size_t index);

}  // namespace gantry::bench
