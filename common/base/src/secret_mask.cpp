#include "gantry/common/secret_mask.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace gantry {
namespace {

// Where a password sits in a text: [begin, end), quotes included.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool isSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

size_t firstOf(std::string_view text, size_t from, size_t to, std::string_view chars) {
  const size_t pos = text.find_first_of(chars, from);
  return pos == std::string_view::npos || pos > to ? to : pos;
}

size_t nextSpace(std::string_view text, size_t from) {
  size_t pos = from;
  while (pos < text.size() && !isSpace(text[pos])) {
    ++pos;
  }
  return pos;
}

// The userinfo password of the URI whose "://" is at `sep`, if any. The
// authority normally ends at '/', '?' or '#'; a password holding one of
// those unencoded is still found by looking for '@' up to the next space.
std::optional<Span> uriPassword(std::string_view text, size_t sep) {
  const size_t start = sep + 3;
  const size_t word_end = nextSpace(text, start);
  const size_t authority_end = firstOf(text, start, word_end, "/?#");
  size_t at = text.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < start) {
    at = text.substr(0, word_end).rfind('@');
  }
  if (at == std::string_view::npos || at < start) {
    return std::nullopt;
  }
  const size_t colon = text.substr(0, at).find(':', start);
  if (colon == std::string_view::npos || colon + 1 >= at) {
    return std::nullopt;
  }
  return Span{colon + 1, at};
}

// The value after a `password` keyword at `pos`: "password=v", "password =
// 'v w'", or "?password=v&..." in a URI query, where '&' ends the value.
std::optional<Span> keywordPassword(std::string_view text, size_t pos) {
  constexpr std::string_view kKeyword = "password";
  const bool in_query = pos > 0 && (text[pos - 1] == '?' || text[pos - 1] == '&');
  size_t i = pos + kKeyword.size();
  while (i < text.size() && isSpace(text[i])) {
    ++i;
  }
  if (i >= text.size() || text[i] != '=') {
    return std::nullopt;
  }
  ++i;
  while (i < text.size() && isSpace(text[i])) {
    ++i;
  }
  if (i >= text.size()) {
    return std::nullopt;
  }
  const size_t begin = i;
  if (text[i] == '\'') {
    for (++i; i < text.size() && text[i] != '\''; ++i) {
      if (text[i] == '\\') {
        ++i;
      }
    }
    return Span{begin, std::min(i + 1, text.size())};
  }
  while (i < text.size() && !isSpace(text[i]) && !(in_query && text[i] == '&')) {
    ++i;
  }
  return Span{begin, i};
}

bool keywordAt(std::string_view text, size_t pos) {
  constexpr std::string_view kKeyword = "password";
  if (pos + kKeyword.size() > text.size() || (pos > 0 && isWordChar(text[pos - 1]))) {
    return false;
  }
  for (size_t k = 0; k < kKeyword.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[pos + k])) != kKeyword[k]) {
      return false;
    }
  }
  return pos + kKeyword.size() == text.size() || !isWordChar(text[pos + kKeyword.size()]);
}

// Every password in `text`, in order, not overlapping.
std::vector<Span> passwordSpans(std::string_view text) {
  std::vector<Span> spans;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    std::optional<Span> found;
    if (text.compare(pos, 3, "://") == 0 && pos > 0 && isSchemeChar(text[pos - 1])) {
      found = uriPassword(text, pos);
    } else if (keywordAt(text, pos)) {
      found = keywordPassword(text, pos);
    }
    if (found && found->end > found->begin) {
      spans.push_back(*found);
      pos = found->end - 1;
    }
  }
  return spans;
}

}  // namespace

std::string maskSecret(std::string_view secret) {
  return secret.empty() ? std::string() : std::string(kMaskedSecret);
}

std::string maskConnectionSecrets(std::string_view text) {
  std::string out(text);
  const std::vector<Span> spans = passwordSpans(text);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->begin, it->end - it->begin, kMaskedSecret);
  }
  return out;
}

}  // namespace gantry
