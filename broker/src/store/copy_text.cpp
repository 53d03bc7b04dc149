#include "copy_text.h"

#include <charconv>
#include <stdexcept>

namespace gantry::broker::store {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t validUtf8Length(std::string_view s, size_t i) {
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

bool needsCare(unsigned char c) {
  return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c >= 0x80;
}

int hexValue(char c) {
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

}  // namespace

void CopyRows::separate() {
  if (!at_row_start_) {
    data_.push_back('\t');
  }
  at_row_start_ = false;
}

void CopyRows::text(std::string_view value) {
  separate();
  size_t i = 0;
  while (i < value.size()) {
    // Copy the plain run in one go; most values are short ASCII.
    size_t run = i;
    while (run < value.size() && !needsCare(static_cast<unsigned char>(value[run]))) {
      ++run;
    }
    data_.append(value.data() + i, run - i);
    i = run;
    if (i == value.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(value[i]);
    switch (c) {
      case '\\':
        data_.append("\\\\");
        ++i;
        continue;
      case '\t':
        data_.append("\\t");
        ++i;
        continue;
      case '\n':
        data_.append("\\n");
        ++i;
        continue;
      case '\r':
        data_.append("\\r");
        ++i;
        continue;
      case '\0':
        data_.append(kReplacement);
        ++i;
        continue;
      default:
        break;
    }
    const size_t length = validUtf8Length(value, i);
    if (length == 0) {
      data_.append(kReplacement);
      ++i;
    } else {
      data_.append(value.data() + i, length);
      i += length;
    }
  }
}

void CopyRows::bytes(std::string_view value) {
  separate();
  // "\x" in bytea's input syntax; the backslash itself is escaped for COPY.
  data_.append("\\\\x");
  const size_t start = data_.size();
  data_.resize(start + 2 * value.size());
  char* out = data_.data() + start;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    *out++ = kHexDigits[c >> 4];
    *out++ = kHexDigits[c & 0x0F];
  }
}

void CopyRows::integer(int64_t value) {
  separate();
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  data_.append(buffer, end);
}

void CopyRows::endRow() {
  data_.push_back('\n');
  at_row_start_ = true;
  ++rows_;
}

std::string decodeByteaHex(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    throw std::invalid_argument("bytea value is not in hex form (bytea_output must be 'hex')");
  }
  std::string out;
  out.resize((text.size() - 2) / 2);
  for (size_t i = 2, o = 0; i < text.size(); i += 2, ++o) {
    const int hi = hexValue(text[i]);
    const int lo = hexValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      throw std::invalid_argument("bytea value has a non-hex digit");
    }
    out[o] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace gantry::broker::store
