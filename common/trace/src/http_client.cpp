#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>

namespace gantry::trace {
namespace {

// A collector's answer is a small protobuf; more than this is not one.
constexpr size_t kMaxResponseBody = size_t{64} * 1024;

size_t appendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (body->size() < kMaxResponseBody) {
    body->append(data, std::min(bytes, kMaxResponseBody - body->size()));
  }
  return bytes;
}

int checkAbandon(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abandon = static_cast<const std::function<bool()>*>(user);
  return (*abandon)() ? 1 : 0;
}

// Frees a header list however post() returns.
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

}  // namespace

HttpClient::HttpClient(std::function<bool()> abandon) : abandon_(std::move(abandon)) {
  // curl_global_init is not thread-safe on every platform; once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpResponse> HttpClient::post(const HttpPost& request) {
  auto* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    return unavailable("cannot create a libcurl handle");
  }
  curl_easy_reset(curl);
  HeaderList headers;
  for (const std::string& header : request.headers) {
    curl_slist* next = curl_slist_append(headers.list, header.c_str());
    if (next == nullptr) {
      return unavailable("out of memory for request headers");
    }
    headers.list = next;
  }
  HttpResponse response;
  std::array<char, CURL_ERROR_SIZE> error{};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  // Signals would reach other threads of the process; timeouts work without.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, checkAbandon);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &abandon_);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error.data());

  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    const std::string reason = error[0] != '\0' ? error.data() : curl_easy_strerror(code);
    return unavailable(reason);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t retry_after_s = 0;
  // libcurl parses both forms (seconds, HTTP date); 0 means absent.
  if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after_s) == CURLE_OK &&
      retry_after_s > 0) {
    response.retry_after_ms = static_cast<int64_t>(retry_after_s) * 1000;
  }
  return response;
}

}  // namespace gantry::trace
