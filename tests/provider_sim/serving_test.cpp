// How the simulator serves: TLS with a generated self-signed certificate,
// the metrics and probes every Gantry process has, keep-alive, and bad
// input answered rather than fatal.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

// Sends `raw` on a fresh connection and returns all the server answers
// before it closes.
std::string rawExchange(int port, const std::string& raw) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  std::string out;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(ProviderSimServing, SelfSignedTlsIsTrustedThroughItsCertificateOnly) {
  SimProcess sim({}, /*tls=*/true);
  const std::string ca = sim.dir() + "/tls/cert.pem";
  ASSERT_TRUE(std::filesystem::exists(sim.dir() + "/tls/key.pem"));
  const Reply trusted = perform({"GET", sim.base() + "/admin/stats", {}, ca});
  EXPECT_EQ(trusted.curl, CURLE_OK);
  EXPECT_EQ(trusted.status, 200);
  Request by_name{"GET", "https://localhost:" + std::to_string(sim.port()) + "/admin/stats"};
  by_name.ca_file = ca;
  EXPECT_EQ(perform(by_name).status, 200);
  // Without its certificate the client refuses the server.
  const Reply untrusted = perform({"GET", sim.base() + "/admin/stats"});
  EXPECT_EQ(untrusted.curl, CURLE_PEER_FAILED_VERIFICATION);
  EXPECT_EQ(untrusted.status, 0);
  // Links the simulator makes are https too.
  const json data = perform({"GET", sim.base() + "/admin/dataset", {}, ca}).asJson();
  Request list{"GET", sim.base() + "/graph/v1.0/me/onlineMeetings?$top=1", {}, ca};
  for (const json& u : data["users"]) {
    if (u["graph_meetings"].size() >= 2) {
      list.headers.push_back("Authorization: Bearer " + u["graph_token"].get<std::string>());
      const json page = perform(list).asJson();
      EXPECT_EQ(page["@odata.nextLink"].get<std::string>().rfind("https://127.0.0.1:", 0), 0u);
      break;
    }
  }
}

TEST(ProviderSimServing, MetricsAndProbesAnswer) {
  SimProcess sim({"--limit", "m=1/h"});
  ASSERT_TRUE(waitFor(
      [&] {
        auto ready = httpGet(sim.metricsPort(), "/readyz");
        return ready && ready->status == 200;
      },
      30s));
  EXPECT_EQ(httpGet(sim.metricsPort(), "/livez")->status, 200);
  EXPECT_EQ(httpGet(sim.metricsPort(), "/startupz")->status, 200);
  sim.send("POST", "/sim/m/work", "");
  sim.send("POST", "/sim/m/work", "");
  const auto metrics = httpGet(sim.metricsPort(), "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(sampleValue(metrics->body, R"(gantry_sim_requests_total{resource="m",status="200"})"),
            1.0);
  EXPECT_EQ(sampleValue(metrics->body, R"(gantry_sim_requests_total{resource="m",status="429"})"),
            1.0);
  EXPECT_EQ(sampleValue(metrics->body, R"(gantry_sim_limit_violations_total{resource="m"})"), 1.0);
}

TEST(ProviderSimServing, KeepsTheConnectionAliveAcrossRequests) {
  SimProcess sim;
  const std::string request = "GET /admin/stats HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string last = "GET /admin/faults HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string answer = rawExchange(sim.port(), request + request + last);
  size_t count = 0;
  for (size_t at = answer.find("HTTP/1.1 200"); at != std::string::npos;
       at = answer.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << answer;
}

TEST(ProviderSimServing, BadInputGetsA4xxAndTheProcessLivesOn) {
  SimProcess sim({"--max-body-bytes", "1024"});
  EXPECT_EQ(rawExchange(sim.port(), "NONSENSE\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(rawExchange(sim.port(), "GET /admin/stats HTTP/1.1\r\nBad Header\r\n\r\n")
                .rfind("HTTP/1.1 400", 0),
            0u);
  const Reply big = sim.send("POST", "/sim/x/work", std::string(4096, 'x'));
  EXPECT_EQ(big.status, 413);
  const Reply unknown = sim.get("/nowhere");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(unknown.asJson()["error"].contains("message"));
  EXPECT_EQ(sim.get("/graph/v1.0/teams").status, 404);
  EXPECT_EQ(sim.get("/openai/v1/chat/completions").status, 405);
  EXPECT_EQ(sim.get("/admin/requests").status, 400);
  EXPECT_EQ(sim.get("/graph/v1.0/users/%zz").status, 400);
  EXPECT_TRUE(sim.process().running());
  EXPECT_EQ(sim.get("/admin/stats").status, 200);
}

TEST(ProviderSimServing, StopsCleanlyOnSigterm) {
  SimProcess sim;
  sim.process().signal(SIGTERM);
  EXPECT_EQ(sim.process().waitExit(30s), 0);
}

}  // namespace
}  // namespace gantry::test::sim
