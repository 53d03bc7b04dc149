// Hiding secrets in text that people see: --print-config, error messages,
// logs. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gantry {

// What a hidden secret is shown as.
inline constexpr std::string_view kMaskedSecret = "****";

// kMaskedSecret for a secret that is set, "" for one that is not: whether a
// secret is set is worth showing, its value never is.
std::string maskSecret(std::string_view secret);

// `text` with the password of every connection string in it replaced by
// kMaskedSecret, and nothing else changed. Covers both libpq forms:
//   postgresql://user:PASSWORD@host/db        (any scheme://user:pass@)
//   postgresql://user@host/db?password=PASSWORD
//   host=db user=gantry password=PASSWORD     (quoted values too)
// Works on a connection string alone and on a message that quotes one.
// Errs towards hiding: an ambiguous URL may lose more than its password.
std::string maskConnectionSecrets(std::string_view text);

}  // namespace gantry
