#!/usr/bin/env bash
# clang-tidy with the repo's .clang-tidy over every tracked .cpp file, and so
# over every header they include (HeaderFilterRegex). Flags come from the
# normal build's compile_commands.json; a file the build does not compile
# (the libFuzzer target) borrows those of its neighbours. Any finding fails.
#
# Time: clang-tidy 14 runs every enabled check over the whole translation
# unit, system headers included, so a file costs roughly the number of
# checks times the size of what it includes; parsing was a sixth of it or
# less. So .clang-tidy leaves out expensive checks that could find nothing
# here, tests/.clang-tidy runs a smaller set over the test suites, and files
# that include CLI11 skip one check (below). Parsing plus one pass over the
# AST is now about half of what is left.
#
#   scripts/tidy.sh [FILE...]   default: every tracked .cpp file
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_packages
# The compile database and the generated protobuf header the sources include.
build_gantry gantry_proto
cd "$GANTRY_ROOT"
if (($#)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cpp')
fi

# performance-unnecessary-value-param analyses the body of every function
# with a by-value parameter of a costly type before it knows whether it may
# report there; CLI11 is header-only and full of them, which costs 7 to 13 s
# of CPU per file that includes it, up to a third of its time. Those
# files are the command-line front ends (main.cpp files, Settings, gantryctl
# commands), where a copied argument costs nothing that matters; the
# headers they include are checked fully in the other files.
tidy_file() {
  local skip=()
  if grep -q '^#include <CLI/CLI.hpp>' "$1"; then
    skip=(--checks=-performance-unnecessary-value-param)
  fi
  clang-tidy -p "$BUILD_DIR" --quiet --warnings-as-errors='*' "${skip[@]}" "$1"
}
export -f tidy_file
export BUILD_DIR

say "clang-tidy over ${#files[@]} files"
# One file per clang-tidy, two at a time. Clang's "N warnings generated"
# counts diagnostics in code it is told to ignore (system headers); dropped.
set +e
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$(nproc)" bash -c 'tidy_file "$1"' tidy_file 2>&1 |
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
status=${PIPESTATUS[1]}
set -e
if ((status)); then
  say "clang-tidy found problems (above)"
  exit 1
fi
say "clang-tidy: no findings"
