// Text and bytes in forms Postgres accepts, shared by the COPY and SQL-literal row
// builders. Postgres text cannot hold NUL or invalid UTF-8 and rejects the
// whole statement (and with it a whole group commit) when it meets them, so
// each NUL byte and each invalid UTF-8 sequence becomes U+FFFD. Pure
// functions; thread-safe.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gantry::broker::store {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence of two or more bytes starting at s[i],
// or 0 when invalid (overlong forms, surrogates and code points past
// U+10FFFF included).
inline size_t validUtf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    return left >= 2 && cont(i + 1) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) {
      return 0;
    }
    const unsigned char c1 = byte(i + 1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
      return 0;
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) {
      return 0;
    }
    const unsigned char c1 = byte(i + 1);
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

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
    } else if (const size_t length = validUtf8Length(value, i); length > 0) {
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
