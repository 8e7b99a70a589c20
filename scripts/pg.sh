#!/bin/sh
# Throw-away PostgreSQL 15 cluster for tests and local scale-out runs.
#   scripts/pg.sh start DIR   initdb + start (trust auth, 127.0.0.1 only, a free port), the cluster
#                             in a fresh temp dir its owner can reach whatever DIR's parents allow
#                             (DIR/data links to its data dir, DIR/server.log to its log);
#                             prints the admin URL postgresql://postgres@127.0.0.1:PORT/postgres
#                             on stdout and writes it to DIR/url. Already running: prints the URL.
#   scripts/pg.sh stop DIR    stops it (fast mode) and removes DIR; nothing there: does nothing.
# As root the server runs as the postgres user (runuser); otherwise as the calling user.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
  if [ -f "$dir/url" ] && [ -f "$dir/data/postmaster.pid" ]; then
    port=$(sed -n 's|.*:\([0-9]*\)/postgres$|\1|p' "$dir/url")
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      cat "$dir/url"
      exit 0
    fi
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    # The cluster lives in a temp dir of its own: initdb and postgres refuse to run as root, and
    # the postgres user may not be able to enter DIR (a checkout under /root, say).
    rm -f "$dir/data"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/bangban-pg.XXXXXX")
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$tmp"
    fi
    chmod 0700 "$tmp"
    ln -s "$tmp/pgdata" "$dir/data"
    as_owner "$PGBIN/initdb" -D "$tmp/pgdata" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
      echo "pg.sh: initdb failed (see $dir/initdb.log)" >&2
      cat "$dir/initdb.log" >&2
      exit 1
    }
  fi
  # Everything the server touches is under its own dir, never reached through DIR.
  real=$(dirname "$(readlink "$dir/data")")
  ln -sf "$real/server.log" "$dir/server.log"
  started=0
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$PGBIN/pg_ctl" -D "$real/pgdata" -l "$real/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  if [ "$started" -ne 1 ]; then
    echo "pg.sh: the server did not start (see $dir/server.log)" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
  fi
  i=0
  until "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
    i=$((i + 1))
    if [ "$i" -ge 100 ]; then
      echo "pg.sh: the server is not ready on port $port (see $dir/server.log)" >&2
      exit 1
    fi
    sleep 0.1
  done
  url="postgresql://postgres@127.0.0.1:$port/postgres"
  printf '%s\n' "$url" >"$dir/url"
  printf '%s\n' "$url"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$(readlink "$dir/data")" -m fast -w -t 60 stop \
      >/dev/null 2>&1 || true
  fi
  if [ -L "$dir/data" ]; then
    rm -rf "$(dirname "$(readlink "$dir/data")")"
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
