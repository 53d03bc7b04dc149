// Aligned plain-text tables for human output: a header row, two spaces
// between columns, no trailing spaces. Cells are made safe for a terminal
// (control characters become spaces) and widths count characters, not
// bytes, so UTF-8 names line up. Thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gantry::tools {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Numbers read best right-aligned.
  void alignRight(size_t column);
  // REQUIRES: cells.size() equals the number of headers.
  void addRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Header and rows, each line ending in '\n'. An empty table renders only
  // its header.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// Label/value pairs as "label:  value" lines with the values aligned.
std::string renderFields(const std::vector<std::pair<std::string, std::string>>& fields);

// `text` with control characters replaced by spaces and, past `max_chars`
// characters, cut with a trailing "...". max_chars 0 means no limit.
std::string sanitizeCell(std::string_view text, size_t max_chars = 0);

// Characters (code points) in UTF-8 text; invalid bytes count as one each.
size_t displayWidth(std::string_view text);

}  // namespace gantry::tools
