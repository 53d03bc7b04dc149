// Byte strings for humans and JSON: payloads and results are opaque bytes,
// shown as text when they are valid UTF-8 (isValidUtf8, gantry/common/utf8.h)
// and as base64 otherwise.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "gantry/common/status.h"

namespace gantry::tools {

// Standard alphabet with '=' padding (RFC 4648 section 4).
std::string base64Encode(std::string_view bytes);
// Accepts padded or unpadded standard base64; kInvalidArgument otherwise.
Result<std::string> base64Decode(std::string_view text);

}  // namespace gantry::tools
