// HttpClient against a real local HTTP(S) server (support/http_test_server.py).
#include "gantry/http/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gantry/http/classify.h"
#include "support/http_get.h"
#include "support/http_test_server.h"

namespace gantry::http {
namespace {

using namespace std::chrono_literals;
using test::HttpTestServer;

// A response delayed this long never arrives within a test: a call that
// returns before it was aborted by the client.
constexpr const char* kNeverAnswers = "delay_ms=60000";
constexpr auto kWellBeforeTheAnswer = 30s;

HttpRequest get(std::string url) { return {.method = "GET", .url = std::move(url)}; }

class HttpClientTest : public ::testing::Test {
 protected:
  HttpTestServer server_;
};

TEST_F(HttpClientTest, ReturnsStatusHeadersAndBody) {
  HttpClient client;
  const HttpResult result =
      client.send(get(server_.url("/things?status=201&header=X-Thing:yes&body=hello")));
  ASSERT_TRUE(result.hasResponse()) << result.error().message;
  EXPECT_EQ(result.response().status, 201);
  EXPECT_EQ(result.response().headers.find("x-THING"), "yes");
  EXPECT_EQ(result.response().body, "hello");
  EXPECT_EQ(result.method(), "GET");
  EXPECT_EQ(result.target(), "127.0.0.1:" + std::to_string(server_.port()) + "/things");
}

TEST_F(HttpClientTest, SendsMethodHeadersAndBody) {
  HttpClient client({.user_agent = "gantry-test"});
  HttpRequest request{.method = "PUT", .url = server_.url("/put?echo=1"), .body = "{\"a\":1}"};
  request.headers.add("Content-Type", "application/json");
  request.headers.add("X-Empty", "");
  const HttpResult result = client.send(request);
  ASSERT_TRUE(result.hasResponse()) << result.error().message;
  EXPECT_EQ(result.response().body, "{\"a\":1}");
  const auto seen = server_.waitForRequests(1, 10s);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["method"], "PUT");
  EXPECT_EQ(seen[0]["headers"]["content-type"], "application/json");
  EXPECT_EQ(seen[0]["headers"]["x-empty"], "");
  EXPECT_EQ(seen[0]["headers"]["user-agent"], "gantry-test");
  EXPECT_FALSE(seen[0]["headers"].contains("expect"));
}

TEST_F(HttpClientTest, PostWithoutContentTypeIsNotSentAsAForm) {
  HttpClient client;
  const HttpResult result =
      client.send({.method = "POST", .url = server_.url("/raw"), .body = "bytes"});
  ASSERT_TRUE(result.hasResponse()) << result.error().message;
  const auto seen = server_.waitForRequests(1, 10s);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0]["headers"].contains("content-type")) << seen[0].dump();
  EXPECT_EQ(seen[0]["body"], "bytes");
}

TEST_F(HttpClientTest, SequentialCallsToOneHostReuseOneConnection) {
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    const HttpResult result = client.send(get(server_.url("/again?body=x")));
    ASSERT_TRUE(result.hasResponse()) << result.error().message;
  }
  ASSERT_EQ(server_.waitForRequests(5, 10s).size(), 5u);
  EXPECT_EQ(server_.connections(), 1u);
}

TEST_F(HttpClientTest, CallsFromManyThreadsAllGetTheirOwnAnswers) {
  HttpClient client;
  std::atomic<int> right{0};
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string body = std::to_string(t) + "-" + std::to_string(i);
        const HttpResult result = client.send(get(server_.url("/t?body=" + body)));
        if (result.hasResponse() && result.response().body == body) {
          ++right;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(right.load(), 30);
}

TEST_F(HttpClientTest, RedirectsAreReturnedNotFollowed) {
  HttpClient client;
  const HttpResult result =
      client.send(get(server_.url("/moved?status=302&header=Location:/elsewhere")));
  ASSERT_TRUE(result.hasResponse()) << result.error().message;
  EXPECT_EQ(result.response().status, 302);
  EXPECT_EQ(server_.waitForRequests(1, 10s).size(), 1u);
}

TEST_F(HttpClientTest, QueryStringsNeverReachErrorTexts) {
  HttpClient client;
  const HttpResult result = client.send(get(server_.url("/fail?status=500&token=s3cret")));
  const Classification c = classify(result, 0);
  EXPECT_EQ(c.outcome, CallOutcome::kRetryable);
  EXPECT_NE(c.reason.find("GET 127.0.0.1:" + std::to_string(server_.port()) + "/fail: HTTP 500"),
            std::string::npos)
      << c.reason;
  EXPECT_EQ(c.reason.find("s3cret"), std::string::npos) << c.reason;
}

TEST_F(HttpClientTest, RequestTimeoutAbortsASlowAnswer) {
  HttpClient client({.request_timeout_ms = 200});
  const auto start = std::chrono::steady_clock::now();
  const HttpResult result = client.send(get(server_.url(std::string("/slow?") + kNeverAnswers)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, kWellBeforeTheAnswer);
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kTimeout);
  EXPECT_NE(result.error().message.find("the request timeout"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(classify(result, 0).outcome, CallOutcome::kRetryable);
}

TEST_F(HttpClientTest, DeadlineShortensTheRequestTimeout) {
  HttpClient client;  // 30 s request timeout
  const HttpResult result = client.send(get(server_.url(std::string("/slow?") + kNeverAnswers)),
                                        {.deadline = std::chrono::steady_clock::now() + 200ms});
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kTimeout);
  EXPECT_NE(result.error().message.find("the job's deadline"), std::string::npos)
      << result.error().message;
}

TEST_F(HttpClientTest, PassedDeadlineFailsWithoutCalling) {
  HttpClient client;
  const HttpResult result =
      client.send(get(server_.url("/never")), {.deadline = std::chrono::steady_clock::now() - 1ms});
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kTimeout);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(HttpClientTest, CancelAbortsATransferInProgress) {
  HttpClient client;
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    // Cancel once the server holds the request, so the transfer is running.
    server_.waitForRequests(1, 10s);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const HttpResult result = client.send(get(server_.url(std::string("/slow?") + kNeverAnswers)),
                                        {.cancelled = [&] { return cancel.load(); }});
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, kWellBeforeTheAnswer);
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kCancelled);
  EXPECT_EQ(classify(result, 0).outcome, CallOutcome::kCancelled);
}

TEST_F(HttpClientTest, ResponseOverTheLimitFails) {
  HttpClient client({.max_response_bytes = 1000});
  const HttpResult result = client.send(get(server_.url("/big?body_bytes=5000")));
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kTooLarge);
  EXPECT_NE(result.error().message.find("1000 bytes"), std::string::npos);
  EXPECT_EQ(classify(result, 0).outcome, CallOutcome::kFatal);
  EXPECT_TRUE(client.send(get(server_.url("/small?body_bytes=1000"))).hasResponse());
}

TEST(HttpClient, RefusedConnectionIsARetryableConnectError) {
  HttpClient client;
  const int port = test::freeLoopbackPort();
  const HttpResult result = client.send(get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kConnect);
  EXPECT_NE(
      result.error().message.find("GET 127.0.0.1:" + std::to_string(port) + "/x: cannot connect"),
      std::string::npos)
      << result.error().message;
  const Classification c = classify(result, 0);
  EXPECT_EQ(c.outcome, CallOutcome::kRetryable);
  EXPECT_EQ(c.signal, wire::RESOURCE_FAILURE);
}

TEST(HttpClient, UnresolvableHostIsADnsError) {
  HttpClient client({.connect_timeout_ms = 5000});
  const HttpResult result = client.send(get("http://gantry-test.invalid/x"));
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kDns) << result.error().message;
  EXPECT_NE(result.error().message.find("'gantry-test.invalid'"), std::string::npos);
}

TEST(HttpClient, BadUrlsAndMethodsAreInvalidRequests) {
  HttpClient client;
  for (const HttpRequest& request : {get("ftp://files.example/x"), get("not a url"),
                                     HttpRequest{.method = "GE T", .url = "http://x.example/"}}) {
    const HttpResult result = client.send(request);
    ASSERT_FALSE(result.hasResponse());
    EXPECT_EQ(result.error().kind, HttpErrorKind::kInvalidRequest) << result.error().message;
  }
}

TEST(HttpClientTls, TrustedCertificateVerifies) {
  HttpTestServer server({.tls = true});
  HttpClient client({.ca_file = server.caFile()});
  const HttpResult result = client.send(get(server.url("/secure?body=hi")));
  ASSERT_TRUE(result.hasResponse()) << result.error().message;
  EXPECT_EQ(result.response().body, "hi");
  // localhost is in the certificate as well as 127.0.0.1.
  const HttpResult by_name =
      client.send(get("https://localhost:" + std::to_string(server.port()) + "/secure?body=hi"));
  EXPECT_TRUE(by_name.hasResponse()) << by_name.error().message;
}

TEST(HttpClientTls, UntrustedCertificateFailsWithAClearFatalError) {
  HttpTestServer server({.tls = true});
  HttpClient client;  // the system store does not know the test's certificate
  const HttpResult result = client.send(get(server.url("/secure?token=s3cret")));
  ASSERT_FALSE(result.hasResponse());
  EXPECT_EQ(result.error().kind, HttpErrorKind::kTls);
  EXPECT_NE(result.error().message.find("TLS certificate verification of host '127.0.0.1' failed"),
            std::string::npos)
      << result.error().message;
  EXPECT_EQ(result.error().message.find("s3cret"), std::string::npos);
  EXPECT_EQ(classify(result, 0).outcome, CallOutcome::kFatal);
}

}  // namespace
}  // namespace gantry::http
