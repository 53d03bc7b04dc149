#!/usr/bin/env bash
# clang-format with the repo's .clang-format over every tracked .h/.cpp file.
#
#   scripts/format.sh         check (CI): fails if clang-format would change a
#                             file, naming each with its number of places
#   scripts/format.sh --fix   rewrite those files in place
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_packages
cd "$GANTRY_ROOT"
mapfile -t files < <(git ls-files '*.h' '*.cpp')
if [ "${1:-}" = --fix ]; then
  printf '%s\0' "${files[@]}" | xargs -0 clang-format -i
  say "formatted ${#files[@]} files"
  exit 0
fi
say "clang-format check over ${#files[@]} files"
set +e
report=$(printf '%s\0' "${files[@]}" | xargs -0 clang-format --dry-run -Werror 2>&1)
status=$?
set -e
if ((status)); then
  # One line per file: how many places clang-format would change. Anything
  # else (a broken .clang-format, say) is shown as it came.
  places=$(grep -oE '^[^ :]+\.(h|cpp):[0-9]+:[0-9]+: error: code should be clang-formatted' \
    <<<"$report" | cut -d: -f1 | uniq -c) || true
  echo "${places:-$report}"
  say "clang-format would change the files above (see: clang-format FILE | diff FILE -);"
  say "run scripts/format.sh --fix"
  exit 1
fi
say "clang-format: no changes"
