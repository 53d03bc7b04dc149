// What a long-running Gantry process wires in to be observable, in a few
// lines:
//
//   obs::Observability obs("broker");
//   auto& started = prometheus::BuildCounter().Name("gantry_..._total")
//                       .Help("...").Register(obs.registry()).Add({});
//   obs.add(histogram_family);   // any other prometheus::Collectable
//   obs.health().add("database", obs::probes({obs::Probe::kReady}), check);
//   auto listener = obs.serve(config.metrics_listen);   // keep it: it serves
//   if (!listener.isOk()) { ... exit }                   // until destroyed
//
// It owns the metric registry and the health checks, and registers
// gantry_build_info and gantry_process_start_time_seconds. The listener is
// the caller's, so that it can stop before whatever the checks read goes
// (declare it after those). Thread-safe as its parts are.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include "gantry/common/status.h"
#include "gantry/obs/health.h"
#include "gantry/obs/obs_server.h"

namespace gantry::obs {

class Observability {
 public:
  // `component` labels gantry_build_info ("broker", "worker", ...).
  explicit Observability(const std::string& component);
  ~Observability();
  Observability(const Observability&) = delete;
  Observability& operator=(const Observability&) = delete;

  prometheus::Registry& registry() { return *registry_; }
  Health& health() { return health_; }
  // Scrapes `collectable` along with the registry (e.g. a HistogramFamily,
  // which prometheus::Registry cannot hold).
  void add(std::shared_ptr<prometheus::Collectable> collectable);
  // A counter whose value `read` returns when scraped (e.g. a library's own
  // atomic count). `read` runs on the listener's threads: thread-safe.
  void addCounter(const std::string& name, const std::string& help, std::function<double()> read);
  // Everything /metrics shows.
  std::vector<prometheus::MetricFamily> collect() const;

  // Starts a listener on `listen` ("HOST:PORT") serving until it is
  // destroyed; an empty address serves nothing (nullptr). Logs the port.
  // REQUIRES: this outlives the listener.
  Result<std::unique_ptr<ObsServer>> serve(const std::string& listen);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;  // GUARDED_BY(mutex_)
  Health health_;
};

}  // namespace gantry::obs
