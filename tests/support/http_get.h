// A minimal HTTP/1.0 GET over loopback for tests that read a process's
// /metrics and health probes. Blocking, one request per connection.
#pragma once

#include <optional>
#include <string>

namespace gantry::test {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// nullopt when nothing answers on 127.0.0.1:`port` or the reply is not HTTP.
std::optional<HttpReply> httpGet(int port, const std::string& path);

// The value of the sample `series` (the exact text before the value, e.g.
// `gantry_jobs_submitted_total{kind="noop",queue="default"}`) in a Prometheus
// text exposition; nullopt when absent.
std::optional<double> sampleValue(const std::string& exposition, const std::string& series);

// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's
// pick, released again), for a process the test is about to start.
int freeLoopbackPort();

// `text` percent-encoded for a URL's query string.
std::string urlEncode(const std::string& text);

}  // namespace gantry::test
