#include "http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "gantry/common/log.h"
#include "http_session.h"

namespace gantry::sim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Accepts connections and starts a session on a strand for each; a failed
// accept (out of descriptors, say) is retried after a pause, not in a spin.
class HttpServer::Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  Acceptor(asio::io_context& io, std::shared_ptr<SessionShared> shared,
           std::shared_ptr<asio::ssl::context> tls)
      : io_(io), acceptor_(io), retry_(io), shared_(std::move(shared)), tls_(std::move(tls)) {}

  boost::system::error_code open(const tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    return ec;
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  SessionShared& shared() { return *shared_; }

  void accept() {
    acceptor_.async_accept(
        asio::make_strand(io_),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          self->onAccept(ec, std::move(socket));
        });
  }

  void close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
  }

 private:
  void onAccept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
      return;
    }
    if (ec) {
      log::warn("accept failed", {{"error", ec.message()}});
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec) {
          self->accept();
        }
      });
      return;
    }
    if (tls_) {
      using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
      std::make_shared<HttpSession<TlsStream>>(shared_, std::move(socket), *tls_)->start();
    } else {
      std::make_shared<HttpSession<boost::beast::tcp_stream>>(shared_, std::move(socket))->start();
    }
    accept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<SessionShared> shared_;
  std::shared_ptr<asio::ssl::context> tls_;
};

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io, const Options& options,
                                                      Router& router) {
  boost::system::error_code ec;
  const auto address =
      asio::ip::make_address(options.host == "localhost" ? "127.0.0.1" : options.host, ec);
  if (ec) {
    return invalidArgument("bad listen host '" + options.host + "': " + ec.message());
  }
  auto shared =
      std::make_shared<SessionShared>(SessionShared{router, options.tls ? "https" : "http", ""});
  auto acceptor = std::make_shared<Acceptor>(io, std::move(shared), options.tls);
  if (ec = acceptor->open(tcp::endpoint(address, options.port)); ec) {
    return unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                       ": " + ec.message());
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->port_ = acceptor->port();
  acceptor->shared().fallback_host = options.host + ":" + std::to_string(server->port_);
  server->acceptor_ = std::move(acceptor);
  server->acceptor_->accept();
  return server;
}

HttpServer::~HttpServer() = default;

void HttpServer::stop() { acceptor_->close(); }

}  // namespace gantry::sim
