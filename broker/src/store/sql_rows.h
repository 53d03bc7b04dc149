// Builds rows as an SQL VALUES list, "(1,'a','\x00'),(2,'b','\x01')", for
// statements sent as plain text. Same interface as CopyRows, so one encoder
// writes either form. Needs standard_conforming_strings = on (the store's
// sessions set it), under which a backslash in a literal is only a
// backslash. A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gantry::broker::store {

class SqlRows {
 public:
  // A text literal; NUL and invalid UTF-8 become U+FFFD (storable_text.h).
  void text(std::string_view value);
  // A bytea literal in hex form, byte for byte.
  void bytes(std::string_view value);
  void integer(int64_t value);
  void endRow();

  // The rows so far, comma-separated, each in parentheses.
  const std::string& data() const { return data_; }
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }

 private:
  void separate();

  std::string data_;
  size_t rows_ = 0;
  bool at_row_start_ = true;
};

}  // namespace gantry::broker::store
