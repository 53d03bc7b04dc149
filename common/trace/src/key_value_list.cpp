#include "key_value_list.h"

#include "gantry/common/hex.h"

#include <algorithm>
#include <optional>

namespace gantry::trace {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

std::optional<std::string> percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return std::nullopt;
    }
    const int hi = hexDigitValue(s[i + 1]);
    const int lo = hexDigitValue(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

Result<KeyValueList> parseKeyValueList(std::string_view text) {
  KeyValueList out;
  size_t member = 0;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view raw = text.substr(start, comma - start);
    start = comma + 1;
    ++member;
    if (trim(raw).empty()) {
      continue;
    }
    const size_t eq = raw.find('=');
    const std::string where = "member " + std::to_string(member);
    if (eq == std::string_view::npos) {
      return invalidArgument(where + " has no '='");
    }
    const std::string_view key = trim(raw.substr(0, eq));
    if (key.empty()) {
      return invalidArgument(where + " has an empty key");
    }
    auto value = percentDecode(trim(raw.substr(eq + 1)));
    if (!value) {
      return invalidArgument(where + " has a '%' not followed by two hex digits");
    }
    out.emplace_back(std::string(key), std::move(*value));
  }
  return out;
}

}  // namespace gantry::trace
