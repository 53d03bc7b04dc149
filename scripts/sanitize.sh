#!/usr/bin/env bash
# Builds the tree with sanitizers in a build dir of its own and runs the test
# suites there with ctest. The integration tests start the broker, worker and
# gantryctl of the same build dir, so those run sanitized too.
#
#   scripts/sanitize.sh address [CTEST-ARGS...]  ASan + UBSan + LeakSanitizer over
#                                                every suite, in build-asan (CI runs this)
#   scripts/sanitize.sh thread [CTEST-ARGS...]   TSan over every suite, in build-tsan
#
# CTEST-ARGS narrow the run, e.g. `-L worker_tests` or `-R Mailbox`. Each
# suite's tests carry its name as a ctest label.
#
# Every report stops the process that makes it (-fno-sanitize-recover,
# halt/abort_on_error) and is written to <build dir>/sanitizer-reports/
# instead of stderr, so a report from a child process fails the run too,
# even where the test that started the child would not notice it died.
# Suppressions for third-party code are in scripts/sanitizers/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode=${1:-}
case "$mode" in
  address) BUILD_DIR="$GANTRY_ROOT/build-asan" sanitizers=address,undefined optimize=-O0 ;;
  thread) BUILD_DIR="$GANTRY_ROOT/build-tsan" sanitizers=thread optimize=-O1 ;;
  *)
    echo "usage: scripts/sanitize.sh address|thread [CTEST-ARGS...]" >&2
    exit 2
    ;;
esac
shift

# clang rather than gcc: it builds this tree in about 60 % of gcc's time, and
# its UBSan shares ASan's runtime, so UBSan reports honour log_path as well.
# Debug keeps assert() on. The suites mostly wait on sockets and Postgres, so
# ASan's tests take no longer unoptimised, and -O0 builds in 60 % of -O1's
# time; TSan slows threaded code more, so its build keeps -O1. Line tables
# (-g1) are all the reports need. gantry-bench has no tests: not built.
GANTRY_CMAKE_ARGS=(
  -DCMAKE_CXX_COMPILER=clang++
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$optimize -g1"
  "-DGANTRY_SANITIZE=$sanitizers"
  -DGANTRY_BUILD_BENCH=OFF
)

ensure_packages
build_gantry

reports="$BUILD_DIR/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
supp="$GANTRY_ROOT/scripts/sanitizers"
ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
export ASAN_SYMBOLIZER_PATH TSAN_SYMBOLIZER_PATH="$ASAN_SYMBOLIZER_PATH"
common="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/report"
if [ "$mode" = address ]; then
  export ASAN_OPTIONS="$common:detect_leaks=1:detect_stack_use_after_return=1"
  export ASAN_OPTIONS="$ASAN_OPTIONS:check_initialization_order=1:strict_init_order=1"
  export UBSAN_OPTIONS="$common"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
else
  export TSAN_OPTIONS="$common:second_deadlock_stack=1:suppressions=$supp/tsan.supp"
fi

say "running tests with $sanitizers sanitizers (reports go to ${reports#"$GANTRY_ROOT"/})"
status=0
# The ClockStep tests preload libfaketime into the broker and workers; a
# sanitizer runtime must come first in the process and intercepts the same
# clock calls, so under it the processes hang at start. The plain build runs
# them (scripts/test.sh).
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 600 --repeat until-pass:2 -E '^ClockStep[.]' "$@") ||
  status=$?

shopt -s nullglob
found=("$reports"/*)
if ((${#found[@]})); then
  say "${#found[@]} process(es) made a sanitizer report; each fails the run:"
  for f in "${found[@]}"; do
    printf '\n--- %s\n' "${f#"$GANTRY_ROOT"/}"
    cat "$f"
  done
  status=1
fi
exit "$status"
