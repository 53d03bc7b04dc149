#!/usr/bin/env bash
# clang-tidy with the repo's .clang-tidy over every tracked .cpp file, and so
# over every header they include (HeaderFilterRegex). Flags come from the
# normal build's compile_commands.json; a file the build does not compile
# (the libFuzzer target) borrows those of its neighbours. Any finding fails.
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

say "clang-tidy over ${#files[@]} files"
# One file per clang-tidy, two at a time. Clang's "N warnings generated"
# counts diagnostics in code it is told to ignore (system headers); dropped.
set +e
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$(nproc)" clang-tidy -p "$BUILD_DIR" --quiet --warnings-as-errors='*' 2>&1 |
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
status=${PIPESTATUS[1]}
set -e
if ((status)); then
  say "clang-tidy found problems (above)"
  exit 1
fi
say "clang-tidy: no findings"
