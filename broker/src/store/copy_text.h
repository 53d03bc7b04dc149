// Builders and parsers for Postgres text formats used by the store: COPY ...
// FROM STDIN rows (text format) and bytea's hex output. Pure functions and
// a value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gantry::broker::store {

// Accumulates COPY text-format rows: fields separated by tabs, rows ended by
// '\n'. Because every literal '\n' in the data ends a row (newlines inside
// fields are escaped), the data can be cut at any '\n' into valid pieces.
class CopyRows {
 public:
  void reserve(size_t bytes) { data_.reserve(bytes); }

  // A text column. Escapes backslash, tab, newline and carriage return.
  // Postgres text cannot hold NUL or invalid UTF-8 and would reject the
  // whole COPY (and with it the whole group commit), so each NUL byte and
  // each invalid UTF-8 sequence becomes U+FFFD instead.
  void text(std::string_view value);
  // A bytea column, in hex form, byte for byte.
  void bytes(std::string_view value);
  void integer(int64_t value);
  void endRow();

  const std::string& data() const { return data_; }
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }

 private:
  void separate();

  std::string data_;
  size_t rows_ = 0;
  bool at_row_start_ = true;
};

// Decodes bytea output in hex form ("\x0a1b..."), as the store's sessions
// request with bytea_output = 'hex'. Throws std::invalid_argument on
// anything else (an adapter turns it into a Status).
std::string decodeByteaHex(std::string_view text);

}  // namespace gantry::broker::store
