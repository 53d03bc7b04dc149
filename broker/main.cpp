// gantry-broker: flags -> config -> BrokerServer -> run until SIGTERM/SIGINT.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "gantry/broker/broker_options.h"
#include "gantry/broker/broker_server.h"
#include "gantry/common/log.h"

namespace {

gantry::broker::BrokerServer* g_server = nullptr;

void onSignal(int) {
  if (g_server != nullptr) {
    g_server->requestStop();  // writes an eventfd: async-signal-safe
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gantry-broker: the priority broker of a Gantry deployment"};
  gantry::broker::BrokerOptions options;
  gantry::broker::addBrokerOptions(app, options);
  CLI11_PARSE(app, argc, argv);
  if (auto s = gantry::broker::finalizeBrokerOptions(options); !s.isOk()) {
    std::cerr << "gantry-broker: " << s.message() << "\n";
    return 2;
  }
  gantry::log::init("broker", options.log_level);

  gantry::broker::BrokerServer server(options.config, gantry::SystemClock::instance());
  if (auto s = server.start(options.db_wait_ms); !s.isOk()) {
    gantry::log::error("broker cannot start", {{"error", s.message()}});
    std::cerr << "gantry-broker: " << s.message() << "\n";
    return 1;
  }
  g_server = &server;
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  server.run();
  g_server = nullptr;
  gantry::log::info("broker stopped");
  return 0;
}
