// One hex digit's value, for the decoders of percent-encoding and bytea hex
// text. Either case; W3C traceparent, which takes lowercase only, has its
// own check (span_context.cpp).
#pragma once

namespace gantry {

// 0..15, or -1 when `c` is not a hex digit.
inline int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace gantry
