#include "copy_reader.h"

#include <charconv>
#include <stdexcept>

// As for COPY FROM (copy_writer.cpp), libpqxx 6.4's older tablereader reads
// raw lines without a second parsing pass; its deprecation warning is
// silenced here only. It puts its "table" into COPY as given, so a
// parenthesised query reads that query's rows.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablereader>

namespace gantry::broker::store {

CopyReader::CopyReader(pqxx::transaction_base& tx, const std::string& query)
    : reader_(std::make_unique<pqxx::tablereader>(tx, "(" + query + ")")) {}

CopyReader::~CopyReader() = default;

bool CopyReader::next(std::string& line) {
  if (!reader_->get_raw_line(line)) {
    reader_->complete();
    return false;
  }
  if (!line.empty() && line.back() == '\n') {
    line.pop_back();
  }
  return true;
}

namespace {

char unescaped(char c) {
  switch (c) {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return c;  // '\\' and any other character stand for themselves
  }
}

}  // namespace

std::string_view CopyFields::next(std::string& scratch) {
  if (done_) {
    throw std::invalid_argument("COPY row has fewer fields than expected");
  }
  const size_t tab = rest_.find('\t');
  const std::string_view field = rest_.substr(0, tab);
  if (tab == std::string_view::npos) {
    done_ = true;
    rest_ = {};
  } else {
    rest_.remove_prefix(tab + 1);
  }
  if (field == "\\N") {
    throw std::invalid_argument("COPY row has a NULL where none is allowed");
  }
  if (field.find('\\') == std::string_view::npos) {
    return field;
  }
  // Postgres writes text with only the single-character escapes (it never
  // needs octal or hex ones for valid UTF-8).
  scratch.clear();
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      scratch += field[i];
    } else if (++i < field.size()) {
      scratch += unescaped(field[i]);
    } else {
      throw std::invalid_argument("COPY field ends in a lone backslash");
    }
  }
  return scratch;
}

int64_t CopyFields::nextInteger() {
  std::string scratch;
  const std::string_view text = next(scratch);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument("COPY field '" + std::string(text) + "' is not an integer");
  }
  return value;
}

}  // namespace gantry::broker::store

#pragma GCC diagnostic pop
