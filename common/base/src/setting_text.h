// Text conversions behind Settings (internal to gantry_common): integers in
// plain decimal, lists, and secret files. Pure functions except
// readSecretFile; thread-safe.
#pragma once

#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/status.h"

namespace gantry::detail {

// Plain decimal only: no sign for unsigned types, no '+', no spaces, no
// base prefixes (CLI11 would read "010" as octal 8). nullopt when `text` is
// not such a number or does not fit T.
template <typename T>
std::optional<T> parseSettingInteger(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '+' || ec != std::errc() ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// "must be an integer between <min of T> and <max of T>".
template <typename T>
std::string integerRule() {
  return "must be an integer between " + std::to_string(std::numeric_limits<T>::min()) + " and " +
         std::to_string(std::numeric_limits<T>::max());
}

// Items of a list variable: split at `separator` (at any whitespace when it
// is ' '), each trimmed, empty ones dropped.
std::vector<std::string> splitItems(std::string_view text, char separator);

// The items joined with `separator` ("" for none).
std::string joinItems(const std::vector<std::string>& items, char separator);

// The secret in the file at `path`: its content without one trailing
// newline ("\n" or "\r\n"). Refuses an unreadable, empty or oversized file
// with the problem as the message ("cannot read '/run/x': No such file or
// directory"). The content itself never appears in a message.
Result<std::string> readSecretFile(const std::string& path);

}  // namespace gantry::detail
