#include "otlp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "gantry/trace/span_context.h"

namespace gantry::bench {
namespace {

std::unique_ptr<OtlpSink> g_sink;

// Reads one HTTP request (headers and Content-Length body); false at EOF.
bool readRequest(int fd, std::string& buffer) {
  char chunk[65536];
  while (true) {
    const auto head_end = buffer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      size_t length = 0;
      const auto header = buffer.find("Content-Length:");
      if (header != std::string::npos && header < head_end) {
        length = std::stoul(buffer.substr(header + 15));
      }
      if (buffer.size() >= head_end + 4 + length) {
        buffer.erase(0, head_end + 4 + length);
        return true;
      }
    }
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      return false;
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

void OtlpSink::enable(bool on) { g_sink = on ? std::make_unique<OtlpSink>() : nullptr; }
OtlpSink* OtlpSink::active() { return g_sink.get(); }

OtlpSink::OtlpSink() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    throw std::runtime_error("otlp sink: cannot listen on loopback");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

OtlpSink::~OtlpSink() {
  stop_ = true;
  acceptor_.join();
  ::close(listen_fd_);
}

std::map<std::string, std::string> OtlpSink::environment() const {
  return {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(port_)}};
}

void OtlpSink::acceptLoop() {
  while (!stop_) {
    pollfd fd = {listen_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 100) <= 0) {
      continue;
    }
    const int connection = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection >= 0) {
      connections_.emplace_back([this, connection] { serve(connection); });
    }
  }
  for (std::thread& t : connections_) {
    t.join();
  }
}

void OtlpSink::serve(int fd) {
  static const std::string kOk =
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
  std::string buffer;
  while (!stop_) {
    pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    if (!readRequest(fd, buffer)) {
      break;
    }
    ++exports_;
    (void)::send(fd, kOk.data(), kOk.size(), MSG_NOSIGNAL);
  }
  ::close(fd);
}

void stampTrace(wire::JobSpec& spec) {
  if (OtlpSink::active() != nullptr) {
    spec.set_traceparent(
        trace::SpanContext{trace::newTraceId(), trace::newSpanId(), true}.traceparent());
  }
}

}  // namespace gantry::bench
