// What a long-running Gantry process wires in to be observable, in a few
// lines:
//
//   obs::Observability obs("broker");
//   auto& started = prometheus::BuildCounter().Name("gantry_..._total")
//                       .Help("...").Register(obs.registry()).Add({});
//   obs.add(histogram_family);   // any other prometheus::Collectable
//   obs.health().add("database", obs::probes({obs::Probe::kReady}), check);
//   if (auto s = obs.serve(config.metrics_listen); !s.isOk()) { ... exit }
//
// It owns the metric registry, the health checks and the HTTP listener, and
// registers gantry_build_info and gantry_process_start_time_seconds.
// Thread-safe as its parts are; destroy it after whatever its checks read.
#pragma once

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
  // Everything /metrics shows.
  std::vector<prometheus::MetricFamily> collect() const;

  // Starts the listener on `listen` ("HOST:PORT"); an empty address serves
  // nothing and succeeds. Logs the address it listens on.
  Status serve(const std::string& listen);
  // The listening port, 0 when not serving.
  int port() const { return server_ ? server_->port() : 0; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;  // GUARDED_BY(mutex_)
  Health health_;
  std::unique_ptr<ObsServer> server_;  // last: stops before what it reads goes
};

}  // namespace gantry::obs
