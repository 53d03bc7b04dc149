#include "gantry/http/classify.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "gantry/common/utf8.h"
#include "gantry/http/url.h"
#include "trim.h"

namespace gantry::http {
namespace {

// Token-expiry wording is looked for in this much of a 401's body.
constexpr size_t kExpiryScanBytes = size_t{64} * 1024;

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Classification transportFailure(const HttpError& error) {
  switch (error.kind) {
    case HttpErrorKind::kCancelled:
      return {CallOutcome::kCancelled, wire::RESOURCE_SIGNAL_UNSPECIFIED, 0, error.message};
    case HttpErrorKind::kTimeout:
    case HttpErrorKind::kDns:
    case HttpErrorKind::kConnect:
      return {CallOutcome::kRetryable, wire::RESOURCE_FAILURE, 0, error.message};
    case HttpErrorKind::kTls:
      // Every call will fail the same way until someone fixes trust, so
      // retries cannot help the job; the resource's circuit may well open.
      return {CallOutcome::kFatal, wire::RESOURCE_FAILURE, 0, error.message};
    case HttpErrorKind::kTooLarge:
      return {CallOutcome::kFatal, wire::RESOURCE_OK, 0, error.message};
    case HttpErrorKind::kInvalidRequest:
      return {CallOutcome::kFatal, wire::RESOURCE_SIGNAL_UNSPECIFIED, 0, error.message};
  }
  return {CallOutcome::kFatal, wire::RESOURCE_SIGNAL_UNSPECIFIED, 0, error.message};
}

// "POST app.example/jobs: HTTP 500 (retry after 2000 ms): <snippet>"
std::string statusReason(const HttpResult& result, std::string_view note,
                         std::optional<uint64_t> retry_after_ms) {
  const HttpResponse& response = result.response();
  std::string out =
      result.method() + " " + result.target() + ": HTTP " + std::to_string(response.status);
  if (!note.empty()) {
    out += " (" + std::string(note) + ")";
  }
  if (retry_after_ms) {
    out += " (retry after " + std::to_string(*retry_after_ms) + " ms)";
  }
  if (const std::string snippet = errorSnippet(response.body); !snippet.empty()) {
    out += ": " + snippet;
  }
  return out;
}

std::string redirectNote(const HttpResponse& response) {
  const auto location = response.headers.find("Location");
  if (!location) {
    return "redirect not followed: configure the final URL";
  }
  auto parsed = parseUrl(*location);
  const std::string where = parsed.isOk() ? parsed->target() : "a relative location";
  return "redirect to " + where + " not followed: configure the final URL";
}

}  // namespace

Classification classify(const HttpResult& result, TimeMs now_wall_ms) {
  if (!result.hasResponse()) {
    return transportFailure(result.error());
  }
  const HttpResponse& response = result.response();
  const long status = response.status;
  if (status >= 200 && status < 300) {
    return {CallOutcome::kOk, wire::RESOURCE_OK, 0, ""};
  }
  std::optional<uint64_t> retry_after;
  if (const auto header = response.headers.find("Retry-After")) {
    retry_after = parseRetryAfter(*header, now_wall_ms);
  }
  if (status == 429 || (status == 503 && retry_after)) {
    return {CallOutcome::kRetryable, wire::RESOURCE_PUSHBACK, retry_after.value_or(0),
            statusReason(result, status == 429 ? "too many requests" : "unavailable", retry_after)};
  }
  if (status == 408 || status >= 500) {
    return {CallOutcome::kRetryable, wire::RESOURCE_FAILURE, retry_after.value_or(0),
            statusReason(result, status == 408 ? "request timeout" : "server error", retry_after)};
  }
  if (status == 401) {
    if (saysTokenExpired(response)) {
      return {CallOutcome::kFatal, wire::RESOURCE_OK, 0,
              "access token expired (401 from " + result.method() + " " + result.target() +
                  "): refresh the user's OAuth token"};
    }
    return {CallOutcome::kFatal, wire::RESOURCE_OK, 0,
            statusReason(result, "unauthorized: check the credentials", std::nullopt)};
  }
  if (status >= 300 && status < 400) {
    return {CallOutcome::kFatal, wire::RESOURCE_OK, 0,
            statusReason(result, redirectNote(response), std::nullopt)};
  }
  return {CallOutcome::kFatal, wire::RESOURCE_OK, 0, statusReason(result, "", std::nullopt)};
}

std::optional<uint64_t> parseRetryAfter(std::string_view value, TimeMs now_wall_ms) {
  const std::string_view text = trimmed(value);
  if (text.empty()) {
    return std::nullopt;
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t seconds = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || seconds > kMaxRetryAfterMs / 1000) {
      return kMaxRetryAfterMs;  // all digits, just too many of them
    }
    return seconds * 1000;
  }
  // libcurl's parser takes the HTTP-date forms RFC 9110 allows (IMF-fixdate
  // and the obsolete RFC 850 and asctime ones).
  const std::string date(text);
  const time_t at = curl_getdate(date.c_str(), nullptr);
  if (at < 0) {
    return std::nullopt;
  }
  const int64_t delay_ms = static_cast<int64_t>(at) * 1000 - now_wall_ms;
  return delay_ms <= 0 ? 0 : std::min<uint64_t>(static_cast<uint64_t>(delay_ms), kMaxRetryAfterMs);
}

bool saysTokenExpired(const HttpResponse& response) {
  if (const auto challenge = response.headers.find("WWW-Authenticate")) {
    const std::string text = lowercase(*challenge);
    if (text.find("invalid_token") != std::string::npos &&
        text.find("expired") != std::string::npos) {
      return true;
    }
  }
  const std::string body = lowercase(std::string_view(response.body).substr(0, kExpiryScanBytes));
  return body.find("expired") != std::string::npos && body.find("token") != std::string::npos;
}

std::string errorSnippet(std::string_view body) {
  std::string line;
  bool space = false;
  for (const char c : body) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == ' ') {
      space = !line.empty();
      continue;
    }
    if (space) {
      line += ' ';
      space = false;
    }
    line += c;
    if (line.size() > kErrorSnippetBytes) {
      break;
    }
  }
  if (line.size() <= kErrorSnippetBytes) {
    return sanitizeText(line, kErrorSnippetBytes);
  }
  return sanitizeText(line, kErrorSnippetBytes - 3) + "...";
}

}  // namespace gantry::http
