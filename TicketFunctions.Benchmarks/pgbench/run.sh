#!/usr/bin/env bash
# Measures the candidate hold designs with pgbench on one 100-seat showtime: 100 connections, 2,000 attempts
# (20 each), in a throwaway PostgreSQL cluster on a free port. Usage: run.sh [runs] (default 2).
# Prints per design and run: transactions/s and the p50/p95 latency of an attempt in ms (from pgbench's log).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-2}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/ticketfunctions-pgbench.XXXXXX)
chown postgres:postgres "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$bin/initdb" -D "$work/data" -A trust -U bench -E UTF8 --locale=C --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=150 -c fsync=off -c synchronous_commit=off" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null; rm -rf "$work"' EXIT
psql=("$bin/psql" -q -h 127.0.0.1 -p "$port" -U bench -d postgres -v ON_ERROR_STOP=1)
printf '%-16s %4s %10s %8s %8s %6s\n' design run tps p50_ms p95_ms sold
for design in lock_then_check skip_locked counter hold_function same_user; do
  for run in $(seq 1 "$runs"); do
    "${psql[@]}" -f "$here/schema.sql" >/dev/null 2>&1
    rm -f "$work"/log.*
    out=$(cd "$work" && "$bin/pgbench" -n -h 127.0.0.1 -p "$port" -U bench -c 100 -j 2 -t 20 -l --log-prefix=log -f "$here/$design.sql" postgres 2>&1 || true)
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
    # Column 3 of pgbench's per-transaction log is the latency in microseconds.
    read -r p50 p95 < <(cat "$work"/log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f\n", a[int(NR*0.5)]/1000, a[int(NR*0.95)]/1000}')
    sold=$("${psql[@]}" -At -c "SELECT (SELECT count(*) FROM seat_claims) + (SELECT count(*) FROM showtime_seats WHERE booking_id IS NOT NULL) + (100 - (SELECT free_seats FROM showtimes))" | tr -d ' ')
    # Each design touches only its own table (the others stay empty or full), so the sum is its seats sold.
    printf '%-16s %4s %10.0f %8s %8s %6s\n' "$design" "$run" "$tps" "$p50" "$p95" "$sold"
  done
done
