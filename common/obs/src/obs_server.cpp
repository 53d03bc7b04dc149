#include "gantry/obs/obs_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "gantry/common/listen_address.h"

namespace gantry::obs {
namespace {

void reply(mg_connection* conn, int status, const char* content_type, const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            status, status == 200 ? "OK" : "Service Unavailable", content_type, body.size());
  mg_write(conn, body.data(), body.size());
}

// civetweb's form of a parsed address: numeric, IPv6 in brackets.
std::string civetAddress(const ListenAddress& address) {
  const std::string host = address.host == "localhost" ? "127.0.0.1" : address.host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(address.port);
}

class ProbeHandler : public CivetHandler {
 public:
  ProbeHandler(const Health& health, Probe probe) : health_(health), probe_(probe) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const ProbeResult result = health_.evaluate(probe_);
    reply(conn, result.http_status, "application/json", result.body);
    return true;
  }

 private:
  const Health& health_;
  const Probe probe_;
};

class MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(ObsServer::Collect collect) : collect_(std::move(collect)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, collect_());
    reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", out.str());
    return true;
  }

 private:
  const ObsServer::Collect collect_;
};

// Connects to 127.0.0.1:port and closes again.
void wakeListener(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::close(fd);
}

}  // namespace

class ObsServer::Handlers {
 public:
  Handlers(Collect collect, const Health& health)
      : metrics(std::move(collect)),
        live(health, Probe::kLive),
        ready(health, Probe::kReady),
        startup(health, Probe::kStartup) {}
  MetricsHandler metrics;
  ProbeHandler live;
  ProbeHandler ready;
  ProbeHandler startup;
};

Result<std::unique_ptr<ObsServer>> ObsServer::start(const std::string& listen, Collect collect,
                                                    const Health& health) {
  auto address = parseListenAddress(listen);
  if (!address.isOk()) {
    return invalidArgument("metrics listen address '" + listen +
                           "': " + address.status().message());
  }
  std::unique_ptr<ObsServer> server(new ObsServer());
  server->handlers_ = std::make_unique<Handlers>(std::move(collect), health);
  // Two threads: scrapes and probes are short, and a process's own work
  // matters more than answering many at once.
  const std::vector<std::string> options = {
      "listening_ports", civetAddress(*address), "num_threads", "2", "request_timeout_ms", "10000"};
  try {
    server->civet_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen for metrics on " + listen + ": " + e.what());
  }
  server->civet_->addHandler("/metrics", server->handlers_->metrics);
  server->civet_->addHandler("/livez", server->handlers_->live);
  server->civet_->addHandler("/readyz", server->handlers_->ready);
  server->civet_->addHandler("/startupz", server->handlers_->startup);
  const std::vector<int> ports = server->civet_->getListeningPorts();
  server->port_ = ports.empty() ? 0 : ports.front();
  return server;
}

ObsServer::~ObsServer() {
  if (!civet_) {
    return;
  }
  // close() joins civetweb's threads before the handlers go. Its accept
  // thread notices the stop only when its poll() returns, which an idle
  // listener does every 2 s; a connection wakes it at once, so one is made
  // every few milliseconds until close() is done (when it listens on
  // loopback or every address; elsewhere the stop takes up to 2 s).
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    civet_->close();
    closed = true;
  });
  while (!closed) {
    wakeListener(port_);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  closer.join();
}

}  // namespace gantry::obs
