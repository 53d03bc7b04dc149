// Sends COPY text rows into a table. The one place that speaks COPY FROM
// STDIN through libpqxx. Thread-compatible.
#pragma once

#include <memory>
#include <pqxx/transaction_base>
#include <string>

#include "row_text.h"

namespace pqxx {
class tablewriter;
}

namespace gantry::broker::store {

// A `COPY table (columns) FROM STDIN` in progress. Rows reach the server as
// they are written, so it inserts the first ones while later ones are still
// being encoded. Outside a transaction block (a pqxx::nontransaction) the
// COPY commits on its own when complete() returns. Throws what libpqxx
// throws (the store adapter converts it).
class CopyStream {
 public:
  // `columns` is a comma-separated column list.
  CopyStream(pqxx::transaction_base& tx, const std::string& table, const std::string& columns);
  ~CopyStream();
  CopyStream(const CopyStream&) = delete;
  CopyStream& operator=(const CopyStream&) = delete;

  void write(const CopyRows& rows);
  // Ends the data; the server's verdict on the whole COPY arrives here.
  void complete();

 private:
  std::unique_ptr<pqxx::tablewriter> writer_;
};

// One COPY with `rows` as the whole data. Does nothing for no rows.
void copyRows(pqxx::transaction_base& tx, const std::string& table, const std::string& columns,
              const CopyRows& rows);

}  // namespace gantry::broker::store
