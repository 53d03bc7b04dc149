// The HTTP listener of a process's observability: GET /metrics (Prometheus
// text format from a registry), /livez, /readyz and /startupz (Health, JSON
// body, 200 or 503). Runs on civetweb's own threads; a scrape or probe never
// runs on the caller's loop, so it reads only thread-safe state (atomics,
// registries, checks). Stops and joins in the destructor.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "gantry/common/status.h"
#include "gantry/obs/health.h"

class CivetServer;

namespace gantry::obs {

class ObsServer {
 public:
  // What /metrics serializes; called on the listener's threads.
  using Collect = std::function<std::vector<prometheus::MetricFamily>()>;

  // Listens on `listen` ("HOST:PORT", IPv4 or [IPv6]; "localhost" means
  // 127.0.0.1; port 0 picks a free port). REQUIRES: what `collect` reads and
  // `health` outlive the server. Error when the address is malformed or taken.
  static Result<std::unique_ptr<ObsServer>> start(const std::string& listen, Collect collect,
                                                  const Health& health);
  ~ObsServer();
  ObsServer(const ObsServer&) = delete;
  ObsServer& operator=(const ObsServer&) = delete;

  // The port it listens on (the chosen one when asked for 0).
  int port() const { return port_; }

 private:
  class Handlers;
  ObsServer() = default;

  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> civet_;
  int port_ = 0;
};

}  // namespace gantry::obs
