#include "gantry/http/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

namespace gantry::http {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// One part of a parsed URL; nullopt when it is absent.
std::optional<std::string> urlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr) {
    return std::nullopt;
  }
  const CurlString owned(raw);
  return std::string(owned.get());
}

uint16_t defaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string hostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string UrlParts::withoutQuery() const {
  return scheme + "://" + hostForUrl(host) + ":" + std::to_string(port) + path;
}

std::string UrlParts::target() const {
  std::string out = hostForUrl(host);
  if (port != defaultPort(scheme)) {
    out += ":" + std::to_string(port);
  }
  return out + path;
}

Result<UrlParts> parseUrl(std::string_view url) {
  const std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (!handle) {
    return unavailable("out of memory parsing a URL");
  }
  const std::string text(url);
  // No guessing of a scheme: "api.example/x" is a mistake to report.
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return invalidArgument("is not an absolute URL such as https://api.example/v1/jobs");
  }
  UrlParts parts;
  parts.scheme = urlPart(handle.get(), CURLUPART_SCHEME).value_or("");
  std::transform(parts.scheme.begin(), parts.scheme.end(), parts.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (parts.scheme != "http" && parts.scheme != "https") {
    return invalidArgument("has scheme '" + parts.scheme +
                           "'; only http:// and https:// are allowed");
  }
  parts.host = urlPart(handle.get(), CURLUPART_HOST).value_or("");
  if (parts.host.size() >= 2 && parts.host.front() == '[' && parts.host.back() == ']') {
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  }
  if (parts.host.empty()) {
    return invalidArgument("has no host");
  }
  const auto port = urlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  parts.port = port ? static_cast<uint16_t>(std::stoul(*port)) : defaultPort(parts.scheme);
  parts.path = urlPart(handle.get(), CURLUPART_PATH).value_or("/");
  if (parts.path.empty()) {
    parts.path = "/";
  }
  parts.has_query = urlPart(handle.get(), CURLUPART_QUERY).has_value();
  return parts;
}

}  // namespace gantry::http
