// openConnection: the one place a libpqxx connection is made.
#include <memory>
#include <pqxx/connection>

#include "conninfo.h"
#include "gantry/common/secret_mask.h"
#include "gantry/pg/migrator.h"
#include "gantry/pg/pg_error.h"

namespace gantry::pg {
namespace {

// The password in `conninfo`, if any, as libpq reads it (percent-decoded),
// so it can be scrubbed from libpq's messages (which do not normally echo
// it, but we do not rely on that).
std::string passwordOf(const std::string& conninfo) {
  const ConninfoOptions options = parseConninfo(conninfo);
  if (!options) {
    return {};
  }
  for (PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) == "password" && option->val != nullptr) {
      return option->val;
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<pqxx::connection>> openConnection(const std::string& conninfo) {
  // libpq's parse errors quote the offending text, which may be the
  // password; say only that the string is malformed.
  if (!parseConninfo(conninfo)) {
    return invalidArgument(
        "the database connection string is malformed (expected key=value pairs or a "
        "postgresql:// URI)");
  }
  const std::string target = describeTarget(conninfo);
  try {
    auto connection = std::make_unique<pqxx::connection>(conninfo);
    // libpqxx 6 silently reconnects a broken connection on next use, which
    // would lose session state (temporary staging tables, settings) and
    // hide the failure from the owner. We want the failure: the owner
    // replaces a broken connection itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    return connection;
  } catch (const std::exception& e) {
    std::string reason = e.what();
    for (char& c : reason) {
      if (c == '\n' || c == '\r') {
        c = ' ';
      }
    }
    while (!reason.empty() && reason.back() == ' ') {
      reason.pop_back();
    }
    return unavailable(maskConnectionSecrets(redact(
        "cannot connect to the database at " + target + ": " + reason, passwordOf(conninfo))));
  }
}

}  // namespace gantry::pg
