// The mapping of an HTTP exchange to a job outcome and a resource signal.
#include "gantry/http/classify.h"

#include <gtest/gtest.h>

namespace gantry::http {
namespace {

// Wed, 21 Oct 2015 07:28:00 GMT
constexpr TimeMs kNow = 1445412480LL * 1000;

HttpResult response(long status, HttpHeaders headers = {}, std::string body = "") {
  return {"POST", "api.example/v1/jobs",
          HttpResponse{.status = status, .headers = std::move(headers), .body = std::move(body)}};
}

HttpResult failure(HttpErrorKind kind) {
  return {"GET", "api.example/v1/jobs", HttpError{kind, "GET api.example/v1/jobs: it broke"}};
}

TEST(Classify, SuccessIsOkAndTellsTheResourceItIsUp) {
  for (long status : {200L, 201L, 204L, 299L}) {
    const Classification c = classify(response(status), kNow);
    EXPECT_EQ(c.outcome, CallOutcome::kOk) << status;
    EXPECT_EQ(c.signal, wire::RESOURCE_OK) << status;
    EXPECT_TRUE(c.reason.empty()) << status;
  }
}

TEST(Classify, TooManyRequestsIsPushbackWithItsRetryAfter) {
  const Classification c = classify(response(429, {{"Retry-After", "3"}}), kNow);
  EXPECT_EQ(c.outcome, CallOutcome::kRetryable);
  EXPECT_EQ(c.signal, wire::RESOURCE_PUSHBACK);
  EXPECT_EQ(c.retry_after_ms, 3000u);
  EXPECT_NE(c.reason.find("POST api.example/v1/jobs: HTTP 429"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("retry after 3000 ms"), std::string::npos) << c.reason;
}

TEST(Classify, TooManyRequestsWithoutRetryAfterIsPushbackWithNoDelay) {
  const Classification c = classify(response(429), kNow);
  EXPECT_EQ(c.signal, wire::RESOURCE_PUSHBACK);
  EXPECT_EQ(c.retry_after_ms, 0u);
}

TEST(Classify, RetryAfterAsAnHttpDateIsADelayFromNow) {
  const Classification c =
      classify(response(429, {{"retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"}}), kNow);
  EXPECT_EQ(c.retry_after_ms, 30000u);
}

TEST(Classify, UnavailableWithRetryAfterIsPushbackWithoutIsFailure) {
  const Classification with = classify(response(503, {{"Retry-After", "10"}}), kNow);
  EXPECT_EQ(with.outcome, CallOutcome::kRetryable);
  EXPECT_EQ(with.signal, wire::RESOURCE_PUSHBACK);
  EXPECT_EQ(with.retry_after_ms, 10000u);

  const Classification without = classify(response(503), kNow);
  EXPECT_EQ(without.outcome, CallOutcome::kRetryable);
  EXPECT_EQ(without.signal, wire::RESOURCE_FAILURE);
  EXPECT_EQ(without.retry_after_ms, 0u);
}

TEST(Classify, ServerErrorsAndRequestTimeoutAreRetryableFailures) {
  for (long status : {408L, 500L, 502L, 504L, 599L}) {
    const Classification c = classify(response(status), kNow);
    EXPECT_EQ(c.outcome, CallOutcome::kRetryable) << status;
    EXPECT_EQ(c.signal, wire::RESOURCE_FAILURE) << status;
    EXPECT_NE(c.reason.find("HTTP " + std::to_string(status)), std::string::npos) << c.reason;
  }
}

TEST(Classify, ServerErrorKeepsTheRetryAfterItWasGiven) {
  const Classification c = classify(response(500, {{"Retry-After", "7"}}), kNow);
  EXPECT_EQ(c.signal, wire::RESOURCE_FAILURE);
  EXPECT_EQ(c.retry_after_ms, 7000u);
}

TEST(Classify, OtherClientErrorsAreFatalAndTheUpstreamCountsAsUp) {
  for (long status : {400L, 403L, 404L, 409L, 422L}) {
    const Classification c = classify(response(status, {}, R"({"error":"bad field"})"), kNow);
    EXPECT_EQ(c.outcome, CallOutcome::kFatal) << status;
    EXPECT_EQ(c.signal, wire::RESOURCE_OK) << status;
    EXPECT_NE(c.reason.find("POST api.example/v1/jobs: HTTP " + std::to_string(status) +
                            R"(: {"error":"bad field"})"),
              std::string::npos)
        << c.reason;
  }
}

TEST(Classify, RedirectsAreFatalAndNameWhereTheyPoint) {
  const Classification c =
      classify(response(302, {{"Location", "https://other.example/v2/jobs?sig=secret"}}), kNow);
  EXPECT_EQ(c.outcome, CallOutcome::kFatal);
  EXPECT_NE(c.reason.find("redirect to other.example/v2/jobs not followed"), std::string::npos)
      << c.reason;
  EXPECT_EQ(c.reason.find("secret"), std::string::npos) << c.reason;
}

TEST(Classify, UnauthorizedIsFatal) {
  const Classification c = classify(response(401), kNow);
  EXPECT_EQ(c.outcome, CallOutcome::kFatal);
  EXPECT_EQ(c.signal, wire::RESOURCE_OK);
  EXPECT_NE(c.reason.find("HTTP 401 (unauthorized: check the credentials)"), std::string::npos)
      << c.reason;
}

TEST(Classify, ExpiredTokensAreNamedPlainlyWhicheverWayTheUpstreamSaysIt) {
  const std::string expected =
      "access token expired (401 from POST api.example/v1/jobs): refresh the user's OAuth token";
  const HttpResult answers[] = {
      response(401,
               {{"WWW-Authenticate",
                 R"(Bearer error="invalid_token", error_description="The access token expired")"}}),
      response(401, {},
               R"({"error":{"code":"InvalidAuthenticationToken",)"
               R"("message":"Lifetime validation failed, the token is expired."}})"),
      response(401, {}, R"({"code":124,"message":"Access token is expired."})"),
      response(401, {}, "Your token has expired, please sign in again"),
  };
  for (const HttpResult& answer : answers) {
    const Classification c = classify(answer, kNow);
    EXPECT_EQ(c.outcome, CallOutcome::kFatal);
    EXPECT_EQ(c.reason, expected);
  }
}

TEST(Classify, TransportFailuresMapByKind) {
  struct Case {
    HttpErrorKind kind;
    CallOutcome outcome;
    wire::ResourceSignal signal;
  };
  const Case cases[] = {
      {HttpErrorKind::kTimeout, CallOutcome::kRetryable, wire::RESOURCE_FAILURE},
      {HttpErrorKind::kDns, CallOutcome::kRetryable, wire::RESOURCE_FAILURE},
      {HttpErrorKind::kConnect, CallOutcome::kRetryable, wire::RESOURCE_FAILURE},
      {HttpErrorKind::kTls, CallOutcome::kFatal, wire::RESOURCE_FAILURE},
      {HttpErrorKind::kTooLarge, CallOutcome::kFatal, wire::RESOURCE_OK},
      {HttpErrorKind::kInvalidRequest, CallOutcome::kFatal, wire::RESOURCE_SIGNAL_UNSPECIFIED},
      {HttpErrorKind::kCancelled, CallOutcome::kCancelled, wire::RESOURCE_SIGNAL_UNSPECIFIED},
  };
  for (const Case& test : cases) {
    const Classification c = classify(failure(test.kind), kNow);
    EXPECT_EQ(c.outcome, test.outcome) << httpErrorKindName(test.kind);
    EXPECT_EQ(c.signal, test.signal) << httpErrorKindName(test.kind);
    EXPECT_EQ(c.reason, "GET api.example/v1/jobs: it broke");
  }
}

TEST(ParseRetryAfter, TakesDeltaSecondsAndHttpDates) {
  EXPECT_EQ(parseRetryAfter("120", kNow), 120000u);
  EXPECT_EQ(parseRetryAfter(" 0 ", kNow), 0u);
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:29:00 GMT", kNow), 60000u);
  // The obsolete forms RFC 9110 still asks recipients to accept.
  EXPECT_EQ(parseRetryAfter("Wednesday, 21-Oct-15 07:29:00 GMT", kNow), 60000u);
  EXPECT_EQ(parseRetryAfter("Wed Oct 21 07:29:00 2015", kNow), 60000u);
}

TEST(ParseRetryAfter, DateInThePastMeansNow) {
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", kNow), 0u);
}

TEST(ParseRetryAfter, HugeValuesAreCapped) {
  EXPECT_EQ(parseRetryAfter("99999999999999999999999", kNow), kMaxRetryAfterMs);
  EXPECT_EQ(parseRetryAfter("Fri, 01 Jan 2100 00:00:00 GMT", kNow), kMaxRetryAfterMs);
}

TEST(ParseRetryAfter, RefusesWhatIsNeitherForm) {
  EXPECT_EQ(parseRetryAfter("", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("-5", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("1.5", kNow), std::nullopt);
}

TEST(ErrorSnippet, IsOneShortLineOfValidText) {
  EXPECT_EQ(errorSnippet("  {\"error\":\n\t\"bad\"}\r\n"), "{\"error\": \"bad\"}");
  const std::string cut = errorSnippet(std::string(1000, 'a'));
  EXPECT_EQ(cut.size(), kErrorSnippetBytes);
  EXPECT_TRUE(cut.ends_with("..."));
  EXPECT_EQ(errorSnippet("ok\xff"), "ok?");
  EXPECT_EQ(errorSnippet(""), "");
}

}  // namespace
}  // namespace gantry::http
