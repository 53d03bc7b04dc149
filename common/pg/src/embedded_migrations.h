// The migrations compiled into this binary. The definition is generated at
// build time from db/migrations by cmake/embed_migrations.cmake.
#pragma once

#include <vector>

#include "gantry/pg/migrator.h"

namespace gantry::pg::detail {

// Ascending by version; every entry has both halves (the build checks).
std::vector<Migration> embeddedMigrations();

}  // namespace gantry::pg::detail
