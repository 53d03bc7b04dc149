#include "gantry/tools/table.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace gantry::tools {
namespace {

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void appendPadded(std::string& out, const std::string& cell, size_t width, bool right) {
  const size_t pad = width - std::min(width, displayWidth(cell));
  if (right) {
    out.append(pad, ' ');
    out += cell;
  } else {
    out += cell;
    out.append(pad, ' ');
  }
}

void trimTrailingSpaces(std::string& line) {
  while (!line.empty() && line.back() == ' ') {
    line.pop_back();
  }
}

}  // namespace

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), right_(headers_.size(), false) {}

void Table::alignRight(size_t column) {
  assert(column < right_.size());
  right_[column] = true;
}

void Table::addRow(std::vector<std::string> cells) {
  assert(cells.size() == headers_.size());
  for (auto& cell : cells) {
    cell = sanitizeCell(cell);
  }
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = displayWidth(headers_[c]);
    for (const auto& row : rows_) {
      widths[c] = std::max(widths[c], displayWidth(row[c]));
    }
  }
  std::string out;
  auto renderRow = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) {
        line += "  ";
      }
      appendPadded(line, cells[c], widths[c], right_[c]);
    }
    trimTrailingSpaces(line);
    out += line;
    out += '\n';
  };
  renderRow(headers_);
  for (const auto& row : rows_) {
    renderRow(row);
  }
  return out;
}

std::string renderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [label, value] : fields) {
    width = std::max(width, displayWidth(label) + 1);
  }
  std::string out;
  for (const auto& [label, value] : fields) {
    std::string line;
    appendPadded(line, label + ":", width, false);
    line += "  ";
    line += value;
    trimTrailingSpaces(line);
    out += line;
    out += '\n';
  }
  return out;
}

std::string sanitizeCell(std::string_view text, size_t max_chars) {
  constexpr std::string_view kMarker = "...";
  const bool cut = max_chars > 0 && displayWidth(text) > max_chars;
  const size_t keep = cut ? max_chars - std::min(max_chars, kMarker.size()) : text.size();
  std::string out;
  out.reserve(text.size());
  size_t chars = 0;
  for (const char c : text) {
    if (!isContinuationByte(c) && chars++ == keep) {
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  if (cut) {
    out += kMarker;
  }
  return out;
}

size_t displayWidth(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !isContinuationByte(c); }));
}

}  // namespace gantry::tools
