# Shared by the scripts in this folder: install what is missing, build.
# shellcheck shell=bash

GANTRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${GANTRY_BUILD_DIR:-$GANTRY_ROOT/build}"

GANTRY_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libzmq3-dev cppzmq-dev libprotobuf-dev protobuf-compiler libpqxx-dev
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libboost-dev
  libgtest-dev libgmock-dev postgresql jq faketime
  # Observability: the metrics/health endpoint (prometheus-cpp on civetweb),
  # the OTLP exporter's HTTP client, and for the tests a real Prometheus and
  # Python's protobuf runtime for the OTLP receiver.
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev prometheus python3-protobuf
  # The provider simulator's TLS (self-signed certificates with OpenSSL).
  libssl-dev
  # The checks (scripts/sanitize.sh, tidy.sh, format.sh): clang with its
  # sanitizer runtimes and llvm-symbolizer for readable reports.
  clang libclang-rt-dev llvm clang-tidy clang-format
)
# Extra options for build_gantry's configure step, after its defaults (later
# options win), e.g. a compiler or sanitizers for a second build tree.
GANTRY_CMAKE_ARGS=()

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_packages() {
  local missing=()
  for p in "${GANTRY_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "no PostgreSQL server binaries found" >&2; return 1; }
  echo "$dir"
}

# build_gantry [TARGET...]: configures once, builds the targets (default: all).
build_gantry() {
  say "building ${*:-everything} in ${BUILD_DIR#"$GANTRY_ROOT"/}"
  cmake -S "$GANTRY_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "${GANTRY_CMAKE_ARGS[@]}" >/dev/null
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$BUILD_DIR" -j "$(nproc)" "${targets[@]}"
}
