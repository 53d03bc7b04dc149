// TLS for the simulator's listener: a server context from PEM files, and a
// self-signed certificate for 127.0.0.1 and localhost generated with
// OpenSSL at start, so a client can trust exactly that certificate.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "gantry/common/status.h"

namespace gantry::sim {

// Writes DIR/cert.pem (a self-signed certificate, also usable as the
// client's CA file, with SAN IP:127.0.0.1 and DNS:localhost) and
// DIR/key.pem (its key, mode 0600). Creates DIR if missing.
Status writeSelfSigned(const std::string& dir);

// A TLS server context serving `cert_file` (a PEM chain) with `key_file`.
Result<std::shared_ptr<boost::asio::ssl::context>> serverContext(const std::string& cert_file,
                                                                 const std::string& key_file);

}  // namespace gantry::sim
