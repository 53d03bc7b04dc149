// gantryctl's entry point as a library function, so that tests can run the
// whole command line (parsing, validation, output, exit code) in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "gantry/common/clock.h"

namespace gantry::tools {

// Parses `args` (args[0] is the program name), runs the chosen command and
// returns the process exit code (see exit_code.h). Reads stdin input
// ("--batch -", "--payload-file -") from `in`; writes results to `out` and
// diagnostics to `err`. Reads GANTRY_CLIENT_ENDPOINT and DATABASE_URL from
// the environment when the matching flags are absent.
int runCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock);

}  // namespace gantry::tools
