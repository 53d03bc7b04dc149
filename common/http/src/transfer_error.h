// How a failed libcurl transfer is told to the caller: which HttpErrorKind
// and the words for it. Internal to gantry_http; pure functions.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "gantry/http/http_message.h"
#include "gantry/http/url.h"

namespace gantry::http {

// The time one transfer was given, and by whom.
struct TimeBudget {
  uint32_t timeout_ms = 0;
  bool deadline_bound = false;  // the caller's deadline, not request_timeout_ms, set it
};

struct TransferError {
  HttpErrorKind kind = HttpErrorKind::kConnect;
  std::string why{};  // without the "METHOD target: " prefix
};

// `reason` is libcurl's error buffer (or its text for `code`).
TransferError describeTransferError(CURLcode code, const std::string& reason, const UrlParts& url,
                                    const TimeBudget& budget, bool too_large,
                                    uint64_t max_response_bytes);

}  // namespace gantry::http
