#include "gantry/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "gantry/http/url.h"
#include "transfer_error.h"
#include "trim.h"

namespace gantry::http {
namespace {

// Idle transfers kept for reuse; more only serve bursts and are closed
// after them rather than holding sockets open forever.
constexpr size_t kMaxIdleTransfers = 16;

void initCurlOnce() {
  // curl_global_init is not thread-safe on every platform; once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the callbacks of one transfer write to and read.
struct Exchange {
  HttpResponse response{};
  uint64_t max_body = 0;
  const std::function<bool()>* cancelled = nullptr;
  bool too_large = false;
  bool was_cancelled = false;

  bool checkCancelled() {
    if (!was_cancelled && cancelled != nullptr && *cancelled && (*cancelled)()) {
      was_cancelled = true;
    }
    return was_cancelled;
  }
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (exchange->response.body.size() + bytes > exchange->max_body) {
    exchange->too_large = true;
    return 0;  // libcurl aborts the transfer with CURLE_WRITE_ERROR
  }
  exchange->response.body.append(data, bytes);
  return bytes;
}

// One header line at a time, including the status line of every response
// (an interim 100 Continue, then the final one): only the last one's
// headers are kept.
size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    exchange->response.headers = {};
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    exchange->response.headers.add(std::string(trimmed(line.substr(0, colon))),
                                   std::string(trimmed(line.substr(colon + 1))));
  }
  return bytes;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(user)->checkCancelled() ? 1 : 0;
}

// Frees a header list however send() returns.
struct HeaderList {
  curl_slist* list = nullptr;
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { curl_slist_free_all(list); }

  bool append(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) {
      return false;
    }
    list = next;
    return true;
  }
};

bool isToken(std::string_view text) {
  static constexpr std::string_view kTokenSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kTokenSymbols.find(c) != std::string_view::npos;
  });
}

// The request's header lines, plus what stops libcurl from adding its own
// defaults: no "Expect: 100-continue" (a round trip of delay for nothing)
// and no form Content-Type for a body the caller did not type.
Status buildHeaders(const HttpRequest& request, HeaderList& lines) {
  for (const auto& [name, value] : request.headers.fields()) {
    if (!isToken(name) || value.find_first_of("\r\n") != std::string::npos) {
      return invalidArgument("header '" + name + "' has an invalid name or a line break");
    }
    // "Name;" is libcurl's way to send a header with an empty value.
    if (!lines.append(value.empty() ? name + ";" : name + ": " + value)) {
      return unavailable("out of memory for request headers");
    }
  }
  for (const char* name : {"Expect", "Content-Type"}) {
    if (!request.headers.contains(name) && !lines.append(std::string(name) + ":")) {
      return unavailable("out of memory for request headers");
    }
  }
  return Status::ok();
}

void setMethodAndBody(CURL* easy, const HttpRequest& request) {
  const bool has_body = !request.body.empty();
  if (request.method == "GET" && !has_body) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    return;
  }
  if (request.method != "POST") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method == "POST" || has_body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
}

// The time a transfer gets: the request timeout, or less when the caller's
// deadline is nearer; nullopt when the deadline has passed.
std::optional<TimeBudget> budgetFor(const HttpClientOptions& options, const SendLimits& limits) {
  TimeBudget budget{.timeout_ms = options.request_timeout_ms, .deadline_bound = false};
  if (limits.deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        *limits.deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    if (left.count() < budget.timeout_ms) {
      budget = {.timeout_ms = static_cast<uint32_t>(left.count()), .deadline_bound = true};
    }
  }
  return budget;
}

// Every option of one transfer. `exchange` and `error_text` must outlive it.
void configure(CURL* easy, const HttpRequest& request, const HttpClientOptions& options,
               const TimeBudget& budget, curl_slist* headers, Exchange& exchange,
               char* error_text) {
  // Keeps the connection cache (in the multi handle), resets every option.
  curl_easy_reset(easy);
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  // Signals would reach other threads of the process; timeouts work without.
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options.connect_timeout_ms, budget.timeout_ms)));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.timeout_ms));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  setMethodAndBody(easy, request);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_response_bytes));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
}

// How a transfer ended, before it is put into words.
struct Ending {
  CURLMcode multi_code = CURLM_OK;  // not OK: the multi interface itself failed
  CURLcode code = CURLE_OK;
  long status = 0;
};

}  // namespace

struct HttpClient::Transfer {
  CURLM* multi = curl_multi_init();
  CURL* easy = curl_easy_init();

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);  // closes the connections it keeps
  }

  // Runs the configured transfer to its end. The multi interface rather
  // than curl_easy_perform, so the wait between network events is ours to
  // bound and a cancel is seen within kCancelPollMs even while the peer is
  // silent.
  Ending run(Exchange& exchange) {
    Ending ending;
    ending.multi_code = curl_multi_add_handle(multi, easy);
    for (int running = 1; ending.multi_code == CURLM_OK;) {
      ending.multi_code = curl_multi_perform(multi, &running);
      if (ending.multi_code != CURLM_OK || running == 0 || exchange.checkCancelled()) {
        break;
      }
      ending.multi_code = curl_multi_poll(multi, nullptr, 0, kCancelPollMs, nullptr);
    }
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
        ending.code = message->data.result;
      }
    }
    // Mid-transfer this closes the connection; after it, keeps it for reuse.
    curl_multi_remove_handle(multi, easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &ending.status);
    return ending;
  }
};

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) { initCurlOnce(); }

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Transfer> HttpClient::takeTransfer() {
  {
    const std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto transfer = std::move(idle_.back());
      idle_.pop_back();
      return transfer;
    }
  }
  auto transfer = std::make_unique<Transfer>();
  if (transfer->multi == nullptr || transfer->easy == nullptr) {
    return nullptr;
  }
  return transfer;
}

void HttpClient::giveBack(std::unique_ptr<Transfer> transfer) {
  const std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdleTransfers) {
    idle_.push_back(std::move(transfer));
  }
}

HttpResult HttpClient::send(const HttpRequest& request, const SendLimits& limits) {
  auto url = parseUrl(request.url);
  if (!url.isOk()) {
    return {request.method, "",
            HttpError{HttpErrorKind::kInvalidRequest,
                      request.method + ": the URL " + url.status().message()}};
  }
  const std::string target = url->target();
  const auto fail = [&](HttpErrorKind kind, const std::string& why) {
    return HttpResult(request.method, target,
                      HttpError{kind, request.method + " " + target + ": " + why});
  };
  if (!isToken(request.method)) {
    return fail(HttpErrorKind::kInvalidRequest, "'" + request.method + "' is not an HTTP method");
  }
  HeaderList headers;
  if (Status status = buildHeaders(request, headers); !status.isOk()) {
    return fail(HttpErrorKind::kInvalidRequest, status.message());
  }
  const auto budget = budgetFor(options_, limits);
  if (!budget) {
    return fail(HttpErrorKind::kTimeout, "the deadline passed before the call was made");
  }
  Exchange exchange{.max_body = options_.max_response_bytes, .cancelled = &limits.cancelled};
  if (exchange.checkCancelled()) {
    return fail(HttpErrorKind::kCancelled, "cancelled before the call was made");
  }
  auto transfer = takeTransfer();
  if (!transfer) {
    return fail(HttpErrorKind::kConnect, "cannot create a libcurl transfer (out of memory)");
  }
  std::array<char, CURL_ERROR_SIZE> error_text{};
  configure(transfer->easy, request, options_, *budget, headers.list, exchange, error_text.data());
  const Ending ending = transfer->run(exchange);
  giveBack(std::move(transfer));

  if (ending.multi_code != CURLM_OK) {
    return fail(HttpErrorKind::kConnect,
                std::string("libcurl failed: ") + curl_multi_strerror(ending.multi_code));
  }
  if (exchange.was_cancelled) {
    return fail(HttpErrorKind::kCancelled, "cancelled");
  }
  if (ending.code != CURLE_OK) {
    const std::string reason =
        error_text[0] != '\0' ? error_text.data() : curl_easy_strerror(ending.code);
    const TransferError error = describeTransferError(
        ending.code, reason, *url, *budget, exchange.too_large, options_.max_response_bytes);
    return fail(error.kind, error.why);
  }
  exchange.response.status = ending.status;
  return {request.method, target, std::move(exchange.response)};
}

}  // namespace gantry::http
