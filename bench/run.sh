#!/usr/bin/env bash
# make bench: throughput and latency of the optimised build on this machine, printed as a
# Markdown table for docs/benchmarks.md. Needs wrk (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBB_BENCH=ON >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
T=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
DUR=${DUR:-10s}
THREADS=$(( $(nproc) * 2 ))

./build/bangban seed-demo --db "$T/b.db" >/dev/null
./build/bangban serve --db "$T/b.db" --listen 127.0.0.1:18181 --threads "$THREADS" 2>"$T/serve.log" &
pids+=($!)
./build/bench_hello 18182 "$THREADS" &
pids+=($!)
sleep 1
# A signed-in session for the authenticated read (/api/v1/me: session lookup + 3 queries).
# Per-login rate limits do not apply to successes, so the storm below can sign in freely.
cookie=$(curl -s -D - -o /dev/null -X POST http://127.0.0.1:18181/api/v1/session \
  -d '{"login":"agent","password":"bangban-demo"}' | sed -n 's/^Set-Cookie: \(bb_session=[0-9a-f]*\).*/\1/p')

row() { # name, wrk output
  local rps p50 p99
  rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$2")
  p50=$(awk '$1=="50%"{print $2}' <<<"$2")
  p99=$(awk '$1=="99%"{print $2}' <<<"$2")
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99"
}
echo "| what | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
row "hello-world libmicrohttpd (baseline)" "$(wrk -t2 -c32 -d"$DUR" --latency http://127.0.0.1:18182/)"
row "GET /healthz (one read transaction)" "$(wrk -t2 -c32 -d"$DUR" --latency http://127.0.0.1:18181/healthz)"
row "GET /api/v1/me (signed in)" "$(wrk -t2 -c32 -d"$DUR" --latency -H "Cookie: $cookie" http://127.0.0.1:18181/api/v1/me)"
row "POST /api/v1/session (argon2id storm)" "$(wrk -t1 -c50 -d"$DUR" --latency -s bench/login.lua http://127.0.0.1:18181/api/v1/session)"
# The front desk: the hall display's snapshot (a read of today's tickets) and kiosks taking tickets.
row "GET /api/v1/public/sites/1/queue (display snapshot)" "$(wrk -t2 -c32 -d"$DUR" --latency http://127.0.0.1:18181/api/v1/public/sites/1/queue)"
row "POST /api/v1/public/tickets (kiosk: one durable write)" "$(wrk -t2 -c16 -d5s --latency -s bench/ticket.lua http://127.0.0.1:18181/api/v1/public/tickets)"
# The storm must not starve everything else: read latency while 50 clients keep signing in.
wrk -t1 -c50 -d"$DUR" -s bench/login.lua http://127.0.0.1:18181/api/v1/session >/dev/null &
storm=$!
sleep 1
row "GET /api/v1/me during the sign-in storm" "$(wrk -t1 -c8 -d5s --latency -H "Cookie: $cookie" http://127.0.0.1:18181/api/v1/me)"
wait $storm

# The same server on PostgreSQL (a throw-away scripts/pg.sh cluster on this machine), when installed.
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  url=$(sh scripts/pg.sh start "$T/pg")
  trap 'sh scripts/pg.sh stop "$T/pg" >/dev/null 2>&1 || true; cleanup' EXIT
  /usr/lib/postgresql/15/bin/psql -X -q -d "$url" -c "CREATE DATABASE bench"
  pg="${url%/postgres}/bench"
  ./build/bangban seed-demo --pg "$pg" --key-file "$T/pg.key" >/dev/null 2>&1
  ./build/bangban serve --pg "$pg" --key-file "$T/pg.key" --listen 127.0.0.1:18183 \
    --threads "$THREADS" 2>"$T/serve-pg.log" &
  pids+=($!)
  sleep 1
  pgcookie=$(curl -s -D - -o /dev/null -X POST http://127.0.0.1:18183/api/v1/session \
    -d '{"login":"agent","password":"bangban-demo"}' | sed -n 's/^Set-Cookie: \(bb_session=[0-9a-f]*\).*/\1/p')
  row "PostgreSQL: GET /api/v1/me (signed in)" "$(wrk -t2 -c32 -d"$DUR" --latency -H "Cookie: $pgcookie" http://127.0.0.1:18183/api/v1/me)"
  row "PostgreSQL: POST /api/v1/public/tickets" "$(wrk -t2 -c16 -d5s --latency -s bench/ticket.lua http://127.0.0.1:18183/api/v1/public/tickets)"
fi
