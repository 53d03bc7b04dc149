#!/usr/bin/env bash
# The local stack with a demo workload: installs what is missing, builds,
# starts a private Postgres under .gantry/ (unless DATABASE_URL is set),
# migrates, starts the broker and two workers, submits a mixed batch and
# shows progress until every job is final, then a summary. Ctrl-C stops it;
# everything it started is stopped on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STATE="$GANTRY_ROOT/.gantry"
LOGS="$STATE/logs"
RUN="$STATE/run"
mkdir -p "$LOGS" "$RUN"
BIN="$BUILD_DIR"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${PRIVATE_PG:-}" ]; then
    as_pg "$(pg_bindir)/pg_ctl" -D "$STATE/pgdata" -m fast stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_private_postgres() {
  local bindir
  bindir=$(pg_bindir)
  PRIVATE_PG=1
  mkdir -p "$STATE/pgdata" "$STATE/pgsocket"
  if [ "$(id -u)" -eq 0 ]; then
    touch "$LOGS/postgres.log"
    chown postgres:postgres "$STATE/pgdata" "$STATE/pgsocket" "$LOGS/postgres.log"
  fi
  if [ ! -f "$STATE/pgdata/PG_VERSION" ]; then
    say "creating a private Postgres cluster in .gantry/pgdata"
    as_pg "$bindir/initdb" -D "$STATE/pgdata" -U postgres --auth=trust -E UTF8 >"$LOGS/initdb.log"
  fi
  say "starting Postgres (unix socket in .gantry/pgsocket)"
  as_pg "$bindir/pg_ctl" -D "$STATE/pgdata" -l "$LOGS/postgres.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$STATE/pgsocket'" start >/dev/null
  export DATABASE_URL="host=$STATE/pgsocket dbname=postgres user=postgres"
}

ensure_packages
build_gantry gantry-broker gantry-worker gantryctl
[ -n "${DATABASE_URL:-}" ] || start_private_postgres

export GANTRY_WORKER_ENDPOINT="ipc://$RUN/workers"
export GANTRY_CLIENT_ENDPOINT="ipc://$RUN/clients"
ctl() { "$BIN/tools/gantryctl" "$@"; }

say "applying migrations"
ctl migrate up

say "starting the broker and two workers (logs in .gantry/logs)"
"$BIN/broker/gantry-broker" --backoff-base-ms 200 --backoff-cap-ms 2000 \
  --key-limit episode:=2 >"$LOGS/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do ctl stats >/dev/null 2>&1 && break; sleep 0.1; done
ctl stats >/dev/null || { tail -n 20 "$LOGS/broker.log"; exit 1; }
for i in 1 2; do
  "$BIN/worker/gantry-worker" --id "demo-worker-$i" --concurrency 8 >"$LOGS/worker-$i.log" 2>&1 &
  pids+=($!)
done

say "submitting the demo batch"
batch="$RUN/demo-batch.jsonl"
{
  for i in $(seq 1 400); do
    printf '{"kind":"noop","queue":"default","priority":%d}\n' $((i % 10))
  done
  for u in $(seq 1 20); do for n in 1 2 3; do
    printf '{"kind":"sleep","queue":"meetings","payload":"%d","key":"user:%d","unique":"sync:user:%d:%d"}\n' \
      $((50 + RANDOM % 150)) "$u" "$u" "$n"
  done; done
  for e in $(seq 1 6); do for step in 1 2 3; do
    printf '{"kind":"sleep","queue":"episodes","payload":"%d","key":"episode:%d","priority":7}\n' \
      $((100 + RANDOM % 300)) "$e"
  done; done
  for i in $(seq 1 30); do printf '{"kind":"echo","payload":"hello %d"}\n' "$i"; done
  for i in $(seq 1 15); do printf '{"kind":"flaky","payload":"2","max_attempts":5}\n'; done
  for i in $(seq 1 5); do printf '{"kind":"fatal","payload":"expired token"}\n'; done
  for i in $(seq 1 10); do printf '{"kind":"noop","delay_ms":%d}\n' $((i * 300)); done
} >"$batch"
total=$(wc -l <"$batch")
# The first id of this run, so the summary shows this run's dead jobs only
# (the private database keeps earlier runs).
first_id=$(ctl --json submit --batch "$batch" | jq '[.jobs[].id] | min')
say "submitted $total jobs; progress:"

while true; do
  stats=$(ctl stats --json)
  read -r queued delayed running ok dead retried < <(jq -r \
    '[([.queues[].queued]|add), ([.queues[].delayed]|add), ([.queues[].running]|add),
      .totals.succeeded, .totals.dead, .totals.retried] | map(. // 0) | @tsv' <<<"$stats")
  printf '  queued %5d  delayed %4d  running %3d  succeeded %5d  dead %3d  retries %3d\n' \
    "$queued" "$delayed" "$running" "$ok" "$dead" "$retried"
  [ $((queued + delayed + running)) -eq 0 ] && break
  sleep 1
done

say "summary"
ctl stats
echo
ctl workers
echo
echo "dead jobs of this run (revive with: gantryctl retry ID):"
ctl list --state dead --after $((first_id - 1))
