#include "job_runner.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <utility>

namespace gantry::worker {
namespace {

// Length of the valid UTF-8 sequence at the start of `text`, or 0.
size_t validSequenceLength(std::string_view text) {
  const auto b0 = static_cast<unsigned char>(text[0]);
  size_t length = 0;
  uint32_t min_code = 0;
  if (b0 < 0x80) {
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    min_code = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    min_code = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    min_code = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) {
    return 0;
  }
  uint32_t code = b0 & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (b & 0x3F);
  }
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (code < min_code || code > 0x10FFFF || surrogate) {
    return 0;
  }
  return length;
}

HandlerResult normalise(HandlerResult result) {
  switch (result.outcome) {
    case wire::OUTCOME_SUCCEEDED:
    case wire::OUTCOME_RETRYABLE:
    case wire::OUTCOME_FATAL:
    case wire::OUTCOME_CANCELLED: break;
    default:
      // HANDED_BACK is the worker's to give (it does not count an attempt);
      // a handler using it could retry forever.
      return HandlerResult::retryable("handler returned invalid outcome " +
                                      std::to_string(static_cast<int>(result.outcome)));
  }
  if (result.result.size() > kMaxResultBytes) {
    // The same input would produce the same oversized result again.
    return HandlerResult::fatal("handler result of " + std::to_string(result.result.size()) +
                                " bytes exceeds the limit of " + std::to_string(kMaxResultBytes));
  }
  result.error = sanitizeText(result.error, kMaxErrorBytes);
  return result;
}

}  // namespace

HandlerResult runHandler(Handler& handler, JobContext& ctx) {
  try {
    return normalise(handler.run(ctx));
  } catch (const std::exception& e) {
    return HandlerResult::retryable(
        sanitizeText(std::string("handler threw: ") + e.what(), kMaxErrorBytes));
  } catch (...) {
    return HandlerResult::retryable("handler threw a non-standard exception");
  }
}

std::string sanitizeText(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  while (!text.empty()) {
    size_t length = validSequenceLength(text);
    const bool valid = length != 0;
    length = valid ? length : 1;
    if (out.size() + length > max_bytes) {
      break;
    }
    if (valid) {
      out.append(text.substr(0, length));
    } else {
      out.push_back('?');
    }
    text.remove_prefix(length);
  }
  return out;
}

}  // namespace gantry::worker
