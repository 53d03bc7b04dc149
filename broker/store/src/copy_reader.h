// Reads the rows of a query as COPY text (COPY (query) TO STDOUT): the
// server streams them while the reader decodes, and nothing per row is
// built but the row itself. The one place that speaks COPY TO STDOUT
// through libpqxx. Thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>

namespace pqxx {
class tablereader;
}

namespace gantry::broker::store {

// A `COPY (query) TO STDOUT` in progress. Throws what libpqxx throws (the
// store adapter converts it).
class CopyReader {
 public:
  CopyReader(pqxx::transaction_base& tx, const std::string& query);
  ~CopyReader();
  CopyReader(const CopyReader&) = delete;
  CopyReader& operator=(const CopyReader&) = delete;

  // The next row's text, without its line end; false after the last.
  bool next(std::string& line);

 private:
  std::unique_ptr<pqxx::tablereader> reader_;
};

// The fields of one COPY text row, in order, with COPY's backslash escapes
// undone. Throws std::invalid_argument for a missing field, a NULL (\N:
// the store's columns are NOT NULL) or a malformed escape.
class CopyFields {
 public:
  explicit CopyFields(std::string_view line) : rest_(line) {}
  // The next field. A view into the line when it has no escapes, else into
  // `scratch`; valid until the next call.
  std::string_view next(std::string& scratch);
  int64_t nextInteger();
  bool done() const { return done_; }

 private:
  std::string_view rest_;
  bool done_ = false;
};

}  // namespace gantry::broker::store
