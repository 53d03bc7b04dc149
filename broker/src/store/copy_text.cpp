#include "copy_text.h"

#include <stdexcept>

#include "storable_text.h"

namespace gantry::broker::store {
namespace {

// What stands for an ASCII byte in a COPY text field, or nullptr.
const char* copyEscape(unsigned char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    default:
      return nullptr;
  }
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
  appendStorableText(data_, value, copyEscape);
}

void CopyRows::bytes(std::string_view value) {
  separate();
  // "\x" in bytea's input syntax; the backslash itself is escaped for COPY.
  data_.append("\\\\x");
  appendHexDigits(data_, value);
}

void CopyRows::integer(int64_t value) {
  separate();
  appendInteger(data_, value);
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
