// gantry-provider-sim as an object: the data set, the state, the router and
// the HTTP listener over a small pool of I/O threads. main() builds one from
// a validated SimConfig and runs it until SIGTERM/SIGINT.
//
//   auto sim = Simulator::start(config, obs, SystemClock::instance());
//   if (!sim.isOk()) { ... exit }
//   sim.value()->run();   // blocks; returns after stop() or a signal
//
// Thread-safe: stop() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/sim/sim_config.h"

namespace gantry::obs {
class Observability;
}  // namespace gantry::obs

namespace gantry::sim {

class Simulator {
 public:
  // Generates the data set, applies the --fault flags, sets up TLS
  // (writing the self-signed pair if asked), binds the listener and writes
  // the port file. Errors say what to fix. REQUIRES: validateConfig(config)
  // succeeded; `obs` and `clock` outlive the simulator.
  static Result<std::unique_ptr<Simulator>> start(const SimConfig& config, obs::Observability& obs,
                                                  Clock& clock);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // "127.0.0.1:PORT" as bound.
  std::string address() const;
  // Serves on config.threads threads (this one included) until stop() or
  // SIGTERM/SIGINT.
  void run();
  void stop();

 private:
  struct Parts;
  explicit Simulator(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace gantry::sim
