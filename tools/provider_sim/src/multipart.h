// multipart/form-data bodies (RFC 7578), as the transcription endpoint
// takes them. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/status.h"

namespace gantry::sim {

struct FormPart {
  std::string name;
  std::string filename;  // empty for plain fields
  std::string content_type;
  std::string data;
};

// The parts of `body`, whose boundary is in `content_type`
// ("multipart/form-data; boundary=..."). kInvalidArgument with what is
// wrong when the type, the boundary or the framing is.
Result<std::vector<FormPart>> parseMultipart(std::string_view content_type, std::string_view body);

}  // namespace gantry::sim
