#include "gantry/http/http_message.h"

#include <algorithm>
#include <cctype>

namespace gantry::http {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

void HttpHeaders::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HttpHeaders::find(std::string_view name) const {
  for (const auto& [field, value] : fields_) {
    if (equalsIgnoringCase(field, name)) {
      return value;
    }
  }
  return std::nullopt;
}

const char* httpErrorKindName(HttpErrorKind kind) {
  switch (kind) {
    case HttpErrorKind::kInvalidRequest:
      return "invalid_request";
    case HttpErrorKind::kDns:
      return "dns";
    case HttpErrorKind::kConnect:
      return "connect";
    case HttpErrorKind::kTimeout:
      return "timeout";
    case HttpErrorKind::kTls:
      return "tls";
    case HttpErrorKind::kTooLarge:
      return "response_too_large";
    case HttpErrorKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Status HttpResult::transportStatus() const {
  if (hasResponse()) {
    return Status::ok();
  }
  const HttpError& failure = error();
  return failure.kind == HttpErrorKind::kInvalidRequest ? invalidArgument(failure.message)
                                                        : unavailable(failure.message);
}

}  // namespace gantry::http
