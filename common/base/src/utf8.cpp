#include "gantry/common/utf8.h"

#include <algorithm>
#include <cstdint>

namespace gantry {

size_t utf8SequenceLength(std::string_view text) {
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

bool isValidUtf8(std::string_view text) {
  while (!text.empty()) {
    const size_t length = utf8SequenceLength(text);
    if (length == 0) {
      return false;
    }
    text.remove_prefix(length);
  }
  return true;
}

std::string sanitizeText(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  while (!text.empty()) {
    size_t length = utf8SequenceLength(text);
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

}  // namespace gantry
