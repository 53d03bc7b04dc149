// One HTTP/1.1 connection (internal to http_server.cpp): read a request's
// header, bound its body, read the body, answer (after a timer when the
// answer is delayed), and loop while the client keeps the connection alive.
// All of a session's handlers run on its strand, one at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http_exchange.h"
#include "provider_errors.h"
#include "router.h"
#include "url.h"

namespace gantry::sim {

struct SessionShared {
  Router& router;
  std::string scheme;         // "http" or "https"
  std::string fallback_host;  // for base URLs when a request has no Host
};

template <typename Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

 public:
  template <typename... Args>
  explicit HttpSession(std::shared_ptr<const SessionShared> shared, Args&&... args)
      : shared_(std::move(shared)),
        stream_(std::forward<Args>(args)...),
        timer_(stream_.get_executor()) {}

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(kHandshakeTimeout);
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::beast::error_code ec) {
                                if (ec) {
                                  return self->drop();
                                }
                                self->readHeader();
                              });
    } else {
      readHeader();
    }
  }

 private:
  static constexpr std::chrono::seconds kIdleTimeout{60};
  static constexpr std::chrono::seconds kHandshakeTimeout{30};
  static constexpr std::chrono::seconds kWriteTimeout{30};
  static constexpr uint32_t kHeaderLimit = 16 * 1024;

  boost::beast::tcp_stream& lowest() { return boost::beast::get_lowest_layer(stream_); }

  void readHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    lowest().expires_after(kIdleTimeout);
    boost::beast::http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](boost::beast::error_code ec, size_t) {
          self->onHeader(ec);
        });
  }

  void onHeader(boost::beast::error_code ec) {
    if (ec) {
      return onReadError(ec);
    }
    const auto& req = parser_->get();
    const uint64_t limit =
        shared_->router.bodyLimit(std::string_view(req.target().data(), req.target().size()));
    if (auto length = parser_->content_length(); length && *length > limit) {
      return fail(413, "the request body is larger than " + std::to_string(limit) + " bytes");
    }
    parser_->body_limit(limit);
    if (boost::beast::iequals(req[boost::beast::http::field::expect], "100-continue")) {
      auto go_on = std::make_shared<boost::beast::http::response<boost::beast::http::empty_body>>(
          boost::beast::http::status::continue_, req.version());
      lowest().expires_after(kWriteTimeout);
      boost::beast::http::async_write(
          stream_, *go_on,
          [self = this->shared_from_this(), go_on](boost::beast::error_code write_ec, size_t) {
            if (write_ec) {
              return self->drop();
            }
            self->readBody();
          });
      return;
    }
    readBody();
  }

  void readBody() {
    lowest().expires_after(kIdleTimeout);
    boost::beast::http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](boost::beast::error_code ec, size_t) {
          self->onRequest(ec);
        });
  }

  void onReadError(boost::beast::error_code ec) {
    namespace http = boost::beast::http;
    if (ec == http::error::body_limit) {
      return fail(413, "the request body is too large");
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return fail(400, "malformed HTTP request: " + ec.message());
    }
    drop();  // end of stream, timeout, reset: nothing to answer
  }

  void onRequest(boost::beast::error_code ec) {
    if (ec) {
      return onReadError(ec);
    }
    Request req = parser_->release();
    const std::string_view target(req.target().data(), req.target().size());
    const auto question = target.find('?');
    auto path = percentDecode(target.substr(0, question), false);
    auto query = parseQuery(question == std::string_view::npos ? std::string_view()
                                                               : target.substr(question + 1));
    HttpReply reply;
    if (!path || !query || path->empty() || (*path)[0] != '/') {
      reply = badRequestReply(Provider::kGeneric, "malformed request target");
    } else {
      HttpRequest request;
      request.method = std::string(req.method_string());
      request.path = std::move(*path);
      request.query = std::move(*query);
      request.authorization = std::string(req[boost::beast::http::field::authorization]);
      request.content_type = std::string(req[boost::beast::http::field::content_type]);
      const std::string host(req[boost::beast::http::field::host]);
      request.base_url = shared_->scheme + "://" + (host.empty() ? shared_->fallback_host : host);
      request.body = std::move(req.body());
      reply = shared_->router.handle(request);
    }
    respond(std::move(reply), req.keep_alive(), req.version());
  }

  // Answers `status` and closes: the request was not read to its end.
  void fail(int status, const std::string& message) {
    respond(errorReply(Provider::kGeneric, status, status == 413 ? "PayloadTooLarge" : "BadRequest",
                       message),
            false, 11);
  }

  void respond(HttpReply reply, bool keep_alive, unsigned version) {
    if (reply.drop_connection) {
      return drop();
    }
    response_ =
        std::make_shared<Response>(static_cast<boost::beast::http::status>(reply.status), version);
    response_->set(boost::beast::http::field::server, "gantry-provider-sim");
    response_->set(boost::beast::http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) {
      response_->set(name, value);
    }
    response_->body() = std::move(reply.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    if (reply.delay_ms <= 0) {
      return write();
    }
    timer_.expires_after(std::chrono::milliseconds(reply.delay_ms));
    timer_.async_wait(
        [self = this->shared_from_this()](boost::beast::error_code) { self->write(); });
  }

  void write() {
    lowest().expires_after(kWriteTimeout);
    boost::beast::http::async_write(
        stream_, *response_,
        [self = this->shared_from_this()](boost::beast::error_code ec, size_t) {
          if (ec || !self->response_->keep_alive()) {
            return self->finish();
          }
          self->response_.reset();
          self->readHeader();
        });
  }

  // A graceful end after the last answer.
  void finish() {
    if constexpr (kTls) {
      lowest().expires_after(kHandshakeTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](boost::beast::error_code) { self->drop(); });
    } else {
      boost::beast::error_code ignored;
      lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  // Closes the connection at once, answering nothing more.
  void drop() {
    boost::beast::error_code ignored;
    lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }

  std::shared_ptr<const SessionShared> shared_;
  Stream stream_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;
};

}  // namespace gantry::sim
