// gantryctl: see docs/operations.md, or run gantryctl --help.
#include <iostream>
#include <string>
#include <vector>

#include "gantry/common/clock.h"
#include "gantry/tools/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  return gantry::tools::runCli(args, std::cin, std::cout, std::cerr,
                               gantry::SystemClock::instance());
}
