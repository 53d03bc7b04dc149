#include "multipart.h"

#include <algorithm>
#include <cctype>

namespace gantry::sim {
namespace {

// Bounds a client cannot push past: parts per form, bytes per part header.
constexpr size_t kMaxParts = 64;
constexpr size_t kMaxPartHeader = 8192;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of `key="..."` (or key=token) in a header's parameters.
std::string headerParam(std::string_view header, std::string_view key) {
  const std::string lowered = lower(header);
  size_t at = 0;
  while ((at = lowered.find(std::string(key) + "=", at)) != std::string::npos) {
    // A whole parameter name: preceded by ';' or whitespace.
    if (at == 0 || lowered[at - 1] == ';' || lowered[at - 1] == ' ') {
      std::string_view rest = header.substr(at + key.size() + 1);
      if (!rest.empty() && rest[0] == '"') {
        const auto end = rest.find('"', 1);
        return std::string(rest.substr(1, end == std::string_view::npos ? end : end - 1));
      }
      return std::string(rest.substr(0, rest.find_first_of("; \t")));
    }
    at += key.size();
  }
  return "";
}

Status parsePartHeaders(std::string_view headers, FormPart& part) {
  while (!headers.empty()) {
    const auto eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return invalidArgument("multipart part header without ':'");
    }
    const std::string name = lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') {
      value.remove_prefix(1);
    }
    if (name == "content-disposition") {
      part.name = headerParam(value, "name");
      part.filename = headerParam(value, "filename");
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (part.name.empty()) {
    return invalidArgument("multipart part without a Content-Disposition name");
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<FormPart>> parseMultipart(std::string_view content_type, std::string_view body) {
  if (lower(content_type).rfind("multipart/form-data", 0) != 0) {
    return invalidArgument("Content-Type must be multipart/form-data");
  }
  const std::string boundary = headerParam(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    return invalidArgument("multipart/form-data without a boundary");
  }
  const std::string delimiter = "--" + boundary;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) {
    return invalidArgument("multipart body without its boundary");
  }
  std::vector<FormPart> parts;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") {
      return parts;  // the closing delimiter
    }
    if (body.substr(at, 2) != "\r\n") {
      return invalidArgument("malformed multipart delimiter line");
    }
    at += 2;
    const auto header_end = body.find("\r\n\r\n", at);
    if (header_end == std::string_view::npos || header_end - at > kMaxPartHeader) {
      return invalidArgument("multipart part without the end of its headers");
    }
    FormPart part;
    if (Status s = parsePartHeaders(body.substr(at, header_end - at), part); !s.isOk()) {
      return s;
    }
    const size_t data_start = header_end + 4;
    const auto next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) {
      return invalidArgument("multipart body is truncated (no closing boundary)");
    }
    part.data = std::string(body.substr(data_start, next - data_start));
    parts.push_back(std::move(part));
    if (parts.size() > kMaxParts) {
      return invalidArgument("multipart body has too many parts");
    }
    at = next + 2;
  }
}

}  // namespace gantry::sim
