#include "gantry/sim/simulator.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "gantry/common/listen_address.h"
#include "gantry/common/log.h"
#include "gantry/obs/observability.h"
#include "gantry/sim/dataset.h"
#include "http_server.h"
#include "router.h"
#include "sim_metrics.h"
#include "sim_state.h"
#include "tls_context.h"

namespace gantry::sim {

// Declared in the order they are built; destroyed in reverse, so sessions
// (owned by the io_context) go before the router they call.
struct Simulator::Parts {
  Parts(const SimConfig& c, const DatasetOptions& options, obs::Observability& obs, Clock& clock)
      : config(c),
        dataset(options),
        state(config, dataset, clock),
        metrics(obs.registry()),
        router(config, dataset, state, metrics) {}

  SimConfig config;
  Dataset dataset;
  SimState state;
  SimMetrics metrics;
  Router router;
  boost::asio::io_context io;
  std::unique_ptr<HttpServer> server;
  std::string address;
};

namespace {

Status writePortFile(const std::string& path, const std::string& address) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << address << "\n";
    if (!out.flush()) {
      return invalidArgument("--port-file: cannot write " + tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return invalidArgument("--port-file: cannot rename " + tmp + ": " + ec.message());
  }
  return Status::ok();
}

Result<std::shared_ptr<boost::asio::ssl::context>> tlsFor(const SimConfig& config) {
  if (!config.tls_self_signed_dir.empty()) {
    if (Status s = writeSelfSigned(config.tls_self_signed_dir); !s.isOk()) {
      return Status(s.code(), "--tls-self-signed: " + s.message());
    }
    return serverContext(config.tls_self_signed_dir + "/cert.pem",
                         config.tls_self_signed_dir + "/key.pem");
  }
  if (!config.tls_cert.empty()) {
    return serverContext(config.tls_cert, config.tls_key);
  }
  return std::shared_ptr<boost::asio::ssl::context>();
}

}  // namespace

Simulator::Simulator(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Simulator::~Simulator() = default;

Result<std::unique_ptr<Simulator>> Simulator::start(const SimConfig& config,
                                                    obs::Observability& obs, Clock& clock) {
  DatasetOptions options{config.seed, config.users, config.missing_transcript_ratio,
                         config.anchor_unix_ms != 0 ? config.anchor_unix_ms : clock.wallMs(),
                         config.lookback_hours};
  auto parts = std::make_unique<Parts>(config, options, obs, clock);
  for (const std::string& text : config.faults) {
    auto spec = faultFromFlag(text);
    Status s = spec.isOk() ? parts->state.addFault(spec.value()) : spec.status();
    if (!s.isOk()) {
      return invalidArgument("--fault '" + text + "': " + s.message());
    }
  }
  auto tls = tlsFor(config);
  if (!tls.isOk()) {
    return tls.status();
  }
  auto listen = parseListenAddress(config.listen);
  if (!listen.isOk()) {
    return listen.status();
  }
  auto server =
      HttpServer::start(parts->io, {listen->host, listen->port, tls.value()}, parts->router);
  if (!server.isOk()) {
    return Status(server.status().code(), "--listen: " + server.status().message());
  }
  parts->server = std::move(server.value());
  const std::string host = listen->host == "localhost" ? "127.0.0.1" : listen->host;
  parts->address = host + ":" + std::to_string(parts->server->port());
  if (!config.port_file.empty()) {
    if (Status s = writePortFile(config.port_file, parts->address); !s.isOk()) {
      return s;
    }
  }
  const size_t meetings = [&] {
    size_t n = 0;
    for (const User& u : parts->dataset.users()) {
      n += u.graph_meetings.size() + u.zoom_meetings.size();
    }
    return n;
  }();
  log::info("listening", {{"address", parts->address},
                          {"tls", static_cast<bool>(tls.value())},
                          {"users", config.users},
                          {"meetings", meetings},
                          {"seed", config.seed},
                          {"anchor_unix_ms", options.anchor_ms}});
  return std::unique_ptr<Simulator>(new Simulator(std::move(parts)));
}

std::string Simulator::address() const { return parts_->address; }

void Simulator::run() {
  boost::asio::signal_set signals(parts_->io, SIGINT, SIGTERM);
  signals.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) {
      log::info("stopping on signal");
      stop();
    }
  });
  std::vector<std::thread> threads;
  for (uint32_t i = 1; i < parts_->config.threads; ++i) {
    threads.emplace_back([this] { parts_->io.run(); });
  }
  parts_->io.run();
  for (auto& t : threads) {
    t.join();
  }
}

void Simulator::stop() {
  boost::asio::post(parts_->io, [this] {
    parts_->server->stop();
    parts_->io.stop();
  });
}

}  // namespace gantry::sim
