#include "copy_writer.h"

#include <string_view>
#include <vector>

// libpqxx 6.4 offers two COPY writers: stream_to, which converts and
// escapes every field itself and sends each row as its own message, and the
// older tablewriter, whose write_raw_line sends text as given. The store
// already holds the whole batch encoded as COPY text (CopyRows), so
// tablewriter sends it in large pieces without a second escaping pass; we
// use it despite its deprecation (the warning is silenced here only).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>

namespace gantry::broker::store {
namespace {

// libpq copies each piece into its output buffer; pieces of about 1 MiB
// keep that copy cheap without one message per row.
constexpr size_t kPieceBytes = 1 << 20;

std::vector<std::string> splitColumns(const std::string& columns) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= columns.size()) {
    size_t end = columns.find(',', start);
    if (end == std::string::npos) {
      end = columns.size();
    }
    std::string name = columns.substr(start, end - start);
    const size_t first = name.find_first_not_of(' ');
    const size_t last = name.find_last_not_of(' ');
    if (first != std::string::npos) {
      out.push_back(name.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

CopyStream::CopyStream(pqxx::transaction_base& tx, const std::string& table,
                       const std::string& columns) {
  const std::vector<std::string> names = splitColumns(columns);
  writer_ = std::make_unique<pqxx::tablewriter>(tx, table, names.begin(), names.end());
}

CopyStream::~CopyStream() = default;

void CopyStream::write(const CopyRows& rows) {
  // write_raw_line appends the row terminator itself, so each piece ends
  // just before a '\n' and the next starts after it. A literal '\n' only
  // ever ends a row (CopyRows escapes newlines inside values).
  const std::string& data = rows.data();
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.size() - 1;  // the final '\n'
    if (data.size() - start > kPieceBytes) {
      end = data.find('\n', start + kPieceBytes);
    }
    writer_->write_raw_line(data.substr(start, end - start));
    start = end + 1;
  }
}

void CopyStream::complete() { writer_->complete(); }

void copyRows(pqxx::transaction_base& tx, const std::string& table, const std::string& columns,
              const CopyRows& rows) {
  if (rows.empty()) {
    return;
  }
  CopyStream copy(tx, table, columns);
  copy.write(rows);
  copy.complete();
}

}  // namespace gantry::broker::store

#pragma GCC diagnostic pop
