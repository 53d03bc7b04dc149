// A forward declaration of pqxx::connection for headers that only pass a
// connection by reference or pointer. libpqxx 6 spells it as an alias of a
// template (so `class connection;` would clash with <pqxx/connection>);
// libpqxx 7 makes it a class.
#pragma once

#include <pqxx/version.hxx>

#if PQXX_VERSION_MAJOR < 7
namespace pqxx {
class connect_direct;
template <typename ConnectPolicy>
class basic_connection_base;
using connection = basic_connection_base<connect_direct>;
}  // namespace pqxx
#else
namespace pqxx {
class connection;
}  // namespace pqxx
#endif
