#include "sql_rows.h"

#include "storable_text.h"

namespace gantry::broker::store {
namespace {

const char* literalEscape(unsigned char c) {
  return c == '\'' ? "''" : nullptr;
}

}  // namespace

void SqlRows::separate() {
  if (at_row_start_) {
    data_.append(rows_ == 0 ? "(" : ",(");
    at_row_start_ = false;
  } else {
    data_.push_back(',');
  }
}

void SqlRows::text(std::string_view value) {
  separate();
  data_.push_back('\'');
  appendStorableText(data_, value, literalEscape);
  data_.push_back('\'');
}

void SqlRows::bytes(std::string_view value) {
  separate();
  data_.append("'\\x");
  appendHexDigits(data_, value);
  data_.push_back('\'');
}

void SqlRows::integer(int64_t value) {
  separate();
  appendInteger(data_, value);
}

void SqlRows::endRow() {
  data_.push_back(')');
  at_row_start_ = true;
  ++rows_;
}

}  // namespace gantry::broker::store
