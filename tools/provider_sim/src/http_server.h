// The simulator's HTTP/1.1 listener (Boost.Beast on Boost.Asio): plain or
// TLS, keep-alive, any number of concurrent connections served by the
// threads that run the io_context. Each connection is a session on its own
// strand; a delayed answer waits on a timer, so it holds no thread. Request
// bodies are bounded per target (Router::bodyLimit), headers to 16 KiB;
// malformed requests get a 400 and the connection closes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "gantry/common/status.h"

namespace gantry::sim {

class Router;

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  };

  // Binds, listens and starts accepting on `io`. REQUIRES: `io` and
  // `router` outlive the server. Error when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   const Options& options, Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when asked for 0).
  uint16_t port() const { return port_; }
  // Stops accepting. REQUIRES: called on a thread running `io`, or after
  // it stopped.
  void stop();

 private:
  class Acceptor;
  HttpServer() = default;

  std::shared_ptr<Acceptor> acceptor_;
  uint16_t port_ = 0;
};

}  // namespace gantry::sim
