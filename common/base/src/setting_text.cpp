#include "setting_text.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace gantry::detail {
namespace {

// A secret is a password, key or connection string; a larger file is the
// wrong file (or /dev/zero), and reading it whole would be the mistake.
constexpr size_t kMaxSecretFileBytes = size_t{64} * 1024;

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && isSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::string cannotRead(const std::string& path, int error) {
  return "cannot read '" + path + "': " + std::strerror(error);
}

}  // namespace

std::vector<std::string> splitItems(std::string_view text, char separator) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = start;
    while (end < text.size() && !(separator == ' ' ? isSpace(text[end]) : text[end] == separator)) {
      ++end;
    }
    const std::string_view item = trim(text.substr(start, end - start));
    if (!item.empty()) {
      items.emplace_back(item);
    }
    start = end + 1;
  }
  return items;
}

std::string joinItems(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

Result<std::string> readSecretFile(const std::string& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (file == nullptr) {
    return invalidArgument(cannotRead(path, errno));
  }
  std::string content;
  char buffer[4096];
  while (true) {
    const size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    content.append(buffer, n);
    if (content.size() > kMaxSecretFileBytes) {
      return invalidArgument("'" + path + "' is larger than " +
                             std::to_string(kMaxSecretFileBytes) +
                             " bytes; a secret file holds just the secret");
    }
    if (n < sizeof buffer) {
      break;
    }
  }
  if (std::ferror(file.get()) != 0) {
    return invalidArgument(cannotRead(path, errno));
  }
  if (!content.empty() && content.back() == '\n') {
    content.pop_back();
    if (!content.empty() && content.back() == '\r') {
      content.pop_back();
    }
  }
  if (content.empty()) {
    return invalidArgument("'" + path + "' is empty");
  }
  return content;
}

}  // namespace gantry::detail
