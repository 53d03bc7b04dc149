// Rows of values as text Postgres reads, in the three forms the store
// sends: COPY ... FROM STDIN text format (CopyRows), SQL VALUES lists for
// statements sent as plain text (SqlRows), and one string per value for
// the parameters of a prepared statement (ParamRows). One encoder
// (job_columns.h) writes any of them, since they have the same interface
// and differ only in syntax.
//
// Postgres text cannot hold NUL or invalid UTF-8 and rejects the whole
// statement (and with it a whole group commit) when it meets them, so each
// NUL byte and each invalid UTF-8 sequence in a text value becomes U+FFFD.
// Bytes values round-trip exactly, in bytea's hex form. SQL literals need
// standard_conforming_strings = on (the store's sessions set it), under
// which a backslash in a literal is only a backslash.
//
// Value types; thread-compatible.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/utf8.h"

namespace gantry::broker::store {

// COPY text format: fields separated by tabs, rows ended by '\n'. Every
// literal '\n' in the data ends a row (newlines inside values are escaped),
// so the data can be cut at any '\n' into valid pieces.
struct CopySyntax {
  static constexpr std::string_view kFirstRowOpen = "";
  static constexpr std::string_view kRowOpen = "";
  static constexpr std::string_view kFieldSeparator = "\t";
  static constexpr std::string_view kRowClose = "\n";
  static constexpr std::string_view kTextQuote = "";
  // "\x" in bytea's input syntax, its backslash escaped for COPY.
  static constexpr std::string_view kBytesOpen = "\\\\x";
  static constexpr std::string_view kBytesClose = "";
  // What stands for an ASCII byte inside a value, or nullptr for itself.
  static const char* escape(unsigned char c) {
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
};

// A VALUES list: "(1,'a','\x00'),(2,'b','\x01')".
struct SqlSyntax {
  static constexpr std::string_view kFirstRowOpen = "(";
  static constexpr std::string_view kRowOpen = ",(";
  static constexpr std::string_view kFieldSeparator = ",";
  static constexpr std::string_view kRowClose = ")";
  static constexpr std::string_view kTextQuote = "'";
  static constexpr std::string_view kBytesOpen = "'\\x";
  static constexpr std::string_view kBytesClose = "'";
  static const char* escape(unsigned char c) { return c == '\'' ? "''" : nullptr; }
};

// Prepared statement parameters travel apart from the statement text, so
// no byte needs an escape.
struct PlainSyntax {
  static const char* escape(unsigned char) { return nullptr; }
};

// Appends `value` with the syntax's escapes, NUL and invalid UTF-8 as
// U+FFFD.
template <class Syntax>
void appendStorable(std::string& out, std::string_view value) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  size_t i = 0;
  while (i < value.size()) {
    // Copy the plain run in one go; most values are short ASCII.
    size_t run = i;
    while (run < value.size()) {
      const auto c = static_cast<unsigned char>(value[run]);
      if (c == 0 || c >= 0x80 || Syntax::escape(c) != nullptr) {
        break;
      }
      ++run;
    }
    out.append(value.data() + i, run - i);
    i = run;
    if (i == value.size()) {
      break;
    }
    // The run stopped at a NUL, a byte with an escape, or a non-ASCII byte.
    const auto c = static_cast<unsigned char>(value[i]);
    const char* escaped = c != 0 && c < 0x80 ? Syntax::escape(c) : nullptr;
    const size_t length = c >= 0x80 ? utf8SequenceLength(value.substr(i)) : 0;
    if (escaped != nullptr) {
      out += escaped;
      ++i;
    } else if (length > 0) {
      out.append(value.data() + i, length);
      i += length;
    } else {  // NUL, or a byte that does not start valid UTF-8
      out += kReplacement;
      ++i;
    }
  }
}

// Appends `bytes` as hex digits, two per byte.
inline void appendHex(std::string& out, std::string_view bytes) {
  constexpr char kHexDigits[] = "0123456789abcdef";
  const size_t start = out.size();
  out.resize(start + 2 * bytes.size());
  char* digit = out.data() + start;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    *digit++ = kHexDigits[c >> 4];
    *digit++ = kHexDigits[c & 0x0F];
  }
}

template <class Syntax>
class RowText {
 public:
  void text(std::string_view value) {
    separate();
    data_ += Syntax::kTextQuote;
    appendStorable<Syntax>(data_, value);
    data_ += Syntax::kTextQuote;
  }

  void bytes(std::string_view value) {
    separate();
    data_ += Syntax::kBytesOpen;
    appendHex(data_, value);
    data_ += Syntax::kBytesClose;
  }

  void integer(int64_t value) {
    separate();
    char buffer[24];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    data_.append(buffer, end);
  }

  void endRow() {
    data_ += Syntax::kRowClose;
    at_row_start_ = true;
    ++rows_;
  }

  const std::string& data() const { return data_; }
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  // Forgets the rows, keeping the buffer for the next ones.
  void clear() {
    data_.clear();
    rows_ = 0;
    at_row_start_ = true;
  }

 private:
  void separate() {
    if (at_row_start_) {
      data_ += rows_ == 0 ? Syntax::kFirstRowOpen : Syntax::kRowOpen;
      at_row_start_ = false;
    } else {
      data_ += Syntax::kFieldSeparator;
    }
  }

  std::string data_;
  size_t rows_ = 0;
  bool at_row_start_ = true;
};

using CopyRows = RowText<CopySyntax>;
using SqlRows = RowText<SqlSyntax>;

// Each value its own string, as a prepared statement's text parameters
// take them: no quotes or escapes, bytes in bytea's hex form.
class ParamRows {
 public:
  void text(std::string_view value) { appendStorable<PlainSyntax>(values_.emplace_back(), value); }
  void bytes(std::string_view value) {
    std::string& hex = values_.emplace_back("\\x");
    appendHex(hex, value);
  }
  void integer(int64_t value) { values_.push_back(std::to_string(value)); }
  void endRow() { ++rows_; }

  const std::vector<std::string>& values() const { return values_; }
  size_t rows() const { return rows_; }

 private:
  std::vector<std::string> values_;
  size_t rows_ = 0;
};

}  // namespace gantry::broker::store
