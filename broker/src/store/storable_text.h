// Text and bytes in forms Postgres accepts, shared by the COPY and
// SQL-literal row builders. Postgres text cannot hold NUL or invalid UTF-8
// and rejects the whole statement (and with it a whole group commit) when
// it meets them, so each NUL byte and each invalid UTF-8 sequence becomes
// U+FFFD. Pure functions; thread-safe.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/common/utf8.h"

namespace gantry::broker::store {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Appends `value` to `out` as storable text. `escape(c)` names what stands
// for the ASCII byte `c` in the target syntax, or returns nullptr when `c`
// stands for itself; it is never asked about NUL.
template <class Escape>
void appendStorableText(std::string& out, std::string_view value, Escape escape) {
  size_t i = 0;
  while (i < value.size()) {
    // Copy the plain run in one go; most values are short ASCII.
    size_t run = i;
    while (run < value.size()) {
      const auto c = static_cast<unsigned char>(value[run]);
      if (c == 0 || c >= 0x80 || escape(c) != nullptr) {
        break;
      }
      ++run;
    }
    out.append(value.data() + i, run - i);
    i = run;
    if (i == value.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == 0) {
      out.append(kReplacementCharacter);
      ++i;
    } else if (c < 0x80) {
      out.append(escape(c));
      ++i;
    } else if (const size_t length = utf8SequenceLength(value.substr(i)); length > 0) {
      out.append(value.data() + i, length);
      i += length;
    } else {
      out.append(kReplacementCharacter);
      ++i;
    }
  }
}

// Appends `value` in decimal.
inline void appendInteger(std::string& out, int64_t value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// Appends two lowercase hex digits per byte of `value` (bytea's hex form
// without its "\x" prefix).
inline void appendHexDigits(std::string& out, std::string_view value) {
  constexpr char kHexDigits[] = "0123456789abcdef";
  const size_t start = out.size();
  out.resize(start + 2 * value.size());
  char* digit = out.data() + start;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    *digit++ = kHexDigits[c >> 4];
    *digit++ = kHexDigits[c & 0x0F];
  }
}

}  // namespace gantry::broker::store
