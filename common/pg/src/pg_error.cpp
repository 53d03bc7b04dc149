#include "gantry/pg/pg_error.h"

#include <memory>
#include <pqxx/except>

#include "conninfo.h"
#include "gantry/common/secret_mask.h"

namespace gantry::pg {
namespace {

// libpq messages end in a newline and sometimes span lines; a Status
// message is one line.
std::string oneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

// SQLSTATE classes and codes after which retrying later can succeed.
bool isTransientSqlState(const std::string& state) {
  if (state.size() != 5) {
    return false;
  }
  const std::string cls = state.substr(0, 2);
  return cls == "08"           // connection exception
         || cls == "53"        // insufficient resources: disk full, memory, connections
         || cls == "57"        // operator intervention: admin/crash shutdown, cannot connect now
         || cls == "40"        // transaction rollback: serialization failure, deadlock
         || state == "55P03"   // lock_not_available (lock_timeout)
         || state == "58000";  // system_error (e.g. an I/O error on the server)
}

bool isMissingSchemaSqlState(const std::string& state) {
  return state == "42P01"      // undefined_table
         || state == "42703"   // undefined_column
         || state == "42883";  // undefined_function
}

// libpq and libpqxx do not normally quote a connection string in their
// messages, but we do not rely on that: any password in one is masked.
std::string withContext(std::string_view context, std::string_view what) {
  std::string message(context);
  message += ": ";
  message += maskConnectionSecrets(oneLine(what));
  return message;
}

}  // namespace

std::string describeTarget(const std::string& conninfo) {
  const ConninfoOptions options = parseConninfo(conninfo);
  if (!options) {
    return "(malformed connection string)";
  }
  std::string out;
  for (const char* key : {"host", "hostaddr", "port", "dbname", "user"}) {
    for (PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
      const bool set = option->val != nullptr && *option->val != '\0';
      if (set && std::string_view(option->keyword) == key) {
        if (!out.empty()) {
          out += ' ';
        }
        out += key;
        out += '=';
        out += option->val;
      }
    }
  }
  return out.empty() ? "(libpq defaults)" : out;
}

bool isWellFormedConninfo(const std::string& conninfo) {
  return static_cast<bool>(parseConninfo(conninfo));
}

Status statusFromException(const std::exception& error, std::string_view context) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
    return unavailable(withContext(
        context,
        std::string("connection lost during commit; the outcome is unknown: ") + error.what()));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    return unavailable(
        withContext(context, std::string("lost the database connection: ") + error.what()));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error); sql != nullptr) {
    const std::string state = sql->sqlstate();
    std::string what = sql->what();
    if (!state.empty()) {
      what = "[" + state + "] " + what;
    }
    if (isTransientSqlState(state)) {
      return unavailable(withContext(context, what));
    }
    if (isMissingSchemaSqlState(state)) {
      return failedPrecondition(
          withContext(context, what + " (is the schema migrated? run `gantryctl migrate up`)"));
    }
    return {StatusCode::kInternal, withContext(context, what)};
  }
  return {StatusCode::kInternal, withContext(context, error.what())};
}

bool isConnectionLoss(const std::exception& error) {
  return dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr ||
         dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr;
}

bool isDataError(const std::exception& error) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error);
  if (sql == nullptr) {
    return false;
  }
  const std::string state = sql->sqlstate();
  return state.size() == 5 && (state.compare(0, 2, "22") == 0 || state.compare(0, 2, "23") == 0);
}

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) {
    return text;
  }
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMaskedSecret.size())) {
    text.replace(pos, secret.size(), kMaskedSecret);
  }
  return text;
}

}  // namespace gantry::pg
