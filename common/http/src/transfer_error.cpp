#include "transfer_error.h"

namespace gantry::http {

TransferError describeTransferError(CURLcode code, const std::string& reason, const UrlParts& url,
                                    const TimeBudget& budget, bool too_large,
                                    uint64_t max_response_bytes) {
  const std::string host = "'" + url.host + "'";
  if (too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return {HttpErrorKind::kTooLarge, "response body larger than the limit of " +
                                          std::to_string(max_response_bytes) + " bytes"};
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return {HttpErrorKind::kTimeout,
              "timed out after " + std::to_string(budget.timeout_ms) + " ms (" +
                  (budget.deadline_bound ? "the job's deadline" : "the request timeout") +
                  "): " + reason};
    case CURLE_COULDNT_RESOLVE_HOST:
      return {HttpErrorKind::kDns, "cannot resolve host " + host + ": " + reason};
    case CURLE_COULDNT_CONNECT:
      return {HttpErrorKind::kConnect,
              "cannot connect to " + host + " port " + std::to_string(url.port) + ": " + reason};
    case CURLE_PEER_FAILED_VERIFICATION:
      return {HttpErrorKind::kTls, "TLS certificate verification of host " + host +
                                       " failed: " + reason +
                                       " (trust its CA with a CA file, or fix its certificate)"};
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      return {HttpErrorKind::kTls, "TLS setup for host " + host + " failed: " + reason};
    case CURLE_SSL_CONNECT_ERROR:
      return {HttpErrorKind::kConnect, "TLS handshake with host " + host + " failed: " + reason};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {HttpErrorKind::kInvalidRequest, reason};
    default:
      // Reset, closed without a reply, broken in the middle: the connection
      // failed, and another attempt may well get through.
      return {HttpErrorKind::kConnect, "connection to " + host + " failed: " + reason};
  }
}

}  // namespace gantry::http
