// "k=v,k2=v2" lists, as OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS
// write them (W3C Baggage's format without properties): members separated by
// commas, whitespace around keys and values ignored, values percent-decoded,
// empty members skipped.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gantry/common/status.h"

namespace gantry::trace {

using KeyValueList = std::vector<std::pair<std::string, std::string>>;

// The pairs in order, or an error saying which member is wrong and how. The
// message never quotes the text, which may hold secrets (headers): callers
// decide what to show.
Result<KeyValueList> parseKeyValueList(std::string_view text);

}  // namespace gantry::trace
