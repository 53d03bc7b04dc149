// The http kinds' settings: parsed, checked, and turned into handlers.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include "gantry/common/settings.h"
#include "gantry/http/url.h"
#include "gantry/worker/http_kind.h"

namespace gantry::worker {
namespace {

constexpr SettingName kHttpKind{"--http-kind", "GANTRY_HTTP_KINDS"};
constexpr SettingName kHttpCaFile{"--http-ca-file", "GANTRY_HTTP_CA_FILE"};
constexpr SettingName kHttpTimeoutMs{"--http-timeout-ms", "GANTRY_HTTP_TIMEOUT_MS"};

constexpr std::string_view kResourceOption = ",resource=";
// Kind and resource names are identifiers in logs and tables, as queue
// names are (JobLimits::max_name_bytes).
constexpr size_t kMaxNameBytes = 200;
// Below this no real call completes; above it, a job should be split.
constexpr uint32_t kMinTimeoutMs = 100;
constexpr uint32_t kMaxTimeoutMs = 24u * 3600u * 1000u;

bool isName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameBytes &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                  c == '.' || c == ':' || c == '/';
         });
}

// An entry as it may be shown: the URL's query masked, as it may carry a
// key ("...?code=abc").
std::string shownEntry(std::string_view entry) {
  const auto query = entry.find('?');
  if (query == std::string_view::npos) {
    return std::string(entry);
  }
  const auto option = entry.rfind(kResourceOption);
  std::string out = std::string(entry.substr(0, query)) + "?...";
  if (option != std::string_view::npos && option > query) {
    out += entry.substr(option);
  }
  return out;
}

}  // namespace

void addHttpKindSettings(Settings& settings, HttpKindConfig& config) {
  settings.add(kHttpKind, config.entries,
               "Job kind served by an HTTP endpoint: KIND=URL[,resource=NAME] (repeatable; "
               "the variable separates entries by spaces or newlines)");
  settings.add(kHttpCaFile, config.ca_file,
               "PEM CA bundle for https:// http-kind URLs (default: the system's store)");
  settings.add(kHttpTimeoutMs, config.timeout_ms, "Longest an http-kind call may take");
}

Result<HttpKindSpec> parseHttpKindEntry(std::string_view entry) {
  const auto equals = entry.find('=');
  if (equals == std::string_view::npos) {
    return invalidArgument("must be KIND=URL[,resource=NAME]");
  }
  HttpKindSpec spec;
  spec.kind = entry.substr(0, equals);
  std::string_view rest = entry.substr(equals + 1);
  // URLs may hold commas, so the option is found from the end.
  if (const auto option = rest.rfind(kResourceOption); option != std::string_view::npos) {
    spec.resource = rest.substr(option + kResourceOption.size());
    rest = rest.substr(0, option);
    if (!isName(spec.resource)) {
      return invalidArgument("has resource '" + spec.resource +
                             "'; a resource is a name of letters, digits and -_.:/");
    }
  }
  if (!isName(spec.kind)) {
    return invalidArgument("has kind '" + spec.kind +
                           "'; a kind is a name of letters, digits and -_.:/");
  }
  spec.url = rest;
  if (auto url = http::parseUrl(spec.url); !url.isOk()) {
    return invalidArgument("has a URL that " + url.status().message());
  }
  return spec;
}

Status addHttpKinds(HandlerRegistry& registry, const HttpKindConfig& config) {
  if (config.entries.empty()) {
    return Status::ok();
  }
  if (Status s = checkRange(kHttpTimeoutMs, config.timeout_ms, kMinTimeoutMs, kMaxTimeoutMs);
      !s.isOk()) {
    return s;
  }
  if (!config.ca_file.empty() && !std::ifstream(config.ca_file).good()) {
    return invalidSetting(kHttpCaFile, config.ca_file, "cannot be read");
  }
  std::vector<HttpKindSpec> specs;
  std::set<std::string, std::less<>> kinds;
  for (const std::string& entry : config.entries) {
    auto spec = parseHttpKindEntry(entry);
    if (!spec.isOk()) {
      return invalidSetting(kHttpKind, shownEntry(entry), spec.status().message());
    }
    if (!kinds.insert(spec->kind).second) {
      return invalidSetting(kHttpKind, shownEntry(entry),
                            "names kind '" + spec->kind + "' a second time");
    }
    if (registry.find(spec->kind) != nullptr) {
      return invalidSetting(kHttpKind, shownEntry(entry),
                            "names kind '" + spec->kind + "', which is built in");
    }
    specs.push_back(std::move(spec.value()));
  }
  auto client = std::make_shared<http::HttpClient>(httpKindClientOptions(config));
  for (HttpKindSpec& spec : specs) {
    std::string kind = spec.kind;
    if (Status s = registry.add(std::move(kind), makeHttpKindHandler(std::move(spec), client));
        !s.isOk()) {
      return s;
    }
  }
  return Status::ok();
}

}  // namespace gantry::worker
