// Sends prepared COPY text rows into a table inside a transaction. The one
// place that speaks COPY FROM STDIN through libpqxx. Thread-compatible.
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "row_text.h"

namespace gantry::broker::store {

// Runs `COPY table (columns) FROM STDIN` with `rows` as the data.
// `columns` is a comma-separated column list. Does nothing for no rows.
// Throws what libpqxx throws (the store adapter converts it).
void copyRows(pqxx::transaction_base& tx, const std::string& table, const std::string& columns,
              const CopyRows& rows);

}  // namespace gantry::broker::store
