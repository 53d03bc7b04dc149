// Parsing libpq connection strings (internal to gantry_pg).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

namespace gantry::pg {

using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// The parsed options, or an empty pointer when `conninfo` does not parse.
inline ConninfoOptions parseConninfo(const std::string& conninfo) {
  char* error = nullptr;
  ConninfoOptions options(PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (error != nullptr) {
    PQfreemem(error);
  }
  return options;
}

}  // namespace gantry::pg
