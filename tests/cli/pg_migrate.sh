#!/bin/sh
# `bangban migrate-to-pg`: a SQLite installation (demo city plus a sign-in, a ticket and a
# complaint made through the server) copied into an empty PostgreSQL database; every table
# checked, the audit chain verified there, the copy served with --pg (sign-in, new rows get
# fresh ids); refusals (non-empty target, unreachable URL, missing or newer source, no --pg)
# exit non-zero with one line and copy nothing; a copy that fails half-way leaves nothing.
# Usage: pg_migrate.sh PATH/TO/bangban   (needs BB_PG_URL, the admin URL of a running cluster,
# e.g. from scripts/pg.sh start DIR; without it the test is skipped)
set -u
BIN=$1
if [ -z "${BB_PG_URL:-}" ]; then
  echo "skip - BB_PG_URL is not set (scripts/pg.sh start DIR prints one)"
  exit 0
fi
command -v psql >/dev/null 2>&1 || { echo "skip - psql not found"; exit 0; }
T=$(mktemp -d)
BASE=${BB_PG_URL%/*}
A=bbt_mig_$$_a   # the migration target
B=bbt_mig_$$_b   # fails half-way
admin() { psql "$BB_PG_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
q() { psql "$BASE/$1" -qAtX -v ON_ERROR_STOP=1 -c "$2"; }
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  for d in $A $B; do admin "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done
  rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; fails=$((fails + 1)); }
expect_exit() { # expected-code description command...
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  if [ "$got" -eq "$want" ]; then ok "$what"; else bad "$what (exit $got, want $want): $(tail -n 3 "$T/err")"; fi
}
one_line() { # the command's own message is one line (backend log lines are JSON)
  n=$(grep -cv '^{' "$T/err")
  [ "$n" -eq 1 ] && ok "$1: one line" || bad "$1: $n lines: $(cat "$T/err")"
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
serve() { # db-flags... : starts the server in the background on $port
  port=$(free_port)
  "$BIN" serve "$@" --listen "127.0.0.1:$port" 2>>"$T/serve.log" &
  pid=$!
  i=0
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
}
stop() { kill -TERM "$pid"; wait "$pid"; pid=; }
api() { # method path body -> $T/body, prints the HTTP status
  curl -s -o "$T/body" -w '%{http_code}' -b "$T/jar" -c "$T/jar" -X "$1" \
    -H 'Content-Type: application/json' -H "X-CSRF-Token: ${csrf:-}" \
    "http://127.0.0.1:$port$2" ${3:+--data "$3"}
}
sign_in() {
  csrf=
  s=$(api POST /api/v1/session '{"login":"admin","password":"bangban-demo"}')
  csrf=$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$T/body")
  [ "$s" = 200 ] && [ -n "$csrf" ]
}

admin "CREATE DATABASE $A" && admin "CREATE DATABASE $B" || { bad "create test databases"; exit 1; }

# The city: demo data, then a sign-in, a ticket and a complaint (sealed phone) through the server.
"$BIN" seed-demo --db "$T/city.db" >/dev/null 2>&1 || bad "seed-demo"
serve --db "$T/city.db"
sign_in && ok "sign in on SQLite" || bad "sign in on SQLite"
[ "$(api POST /api/v1/public/tickets '{"site_id":1,"kind":"general"}')" = 201 ] && ok "ticket on SQLite" || bad "ticket on SQLite: $(cat "$T/body")"
[ "$(api POST /api/v1/public/complaints '{"site_id":1,"name":"王芳","phone":"13800138000","description":"窗口无人"}')" = 201 ] \
  && ok "complaint on SQLite" || bad "complaint on SQLite: $(cat "$T/body")"
code=$(sed -n 's/.*"code":"\([^"]*\)".*/\1/p' "$T/body")
stop
tables=$(sqlite3 "$T/city.db" "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'")

# Refusals first: each leaves the target empty.
expect_exit 2 "no --pg" "$BIN" migrate-to-pg --db "$T/city.db"
expect_exit 1 "missing SQLite file" "$BIN" migrate-to-pg --db "$T/none.db" --pg "$BASE/$A"
one_line "missing SQLite file"
[ ! -e "$T/none.db" ] && ok "a missing source is not created" || bad "a missing source is not created"
expect_exit 1 "unreachable PostgreSQL" "$BIN" migrate-to-pg --db "$T/city.db" --pg "postgresql://postgres@127.0.0.1:1/nowhere"
one_line "unreachable PostgreSQL"
expect_exit 1 "no such PostgreSQL database" "$BIN" migrate-to-pg --db "$T/city.db" --pg "$BASE/bbt_mig_$$_none"
one_line "no such PostgreSQL database"
expect_exit 1 "missing key file" "$BIN" migrate-to-pg --db "$T/city.db" --pg "$BASE/$A" --key-file "$T/none.key"
one_line "missing key file"
cp "$T/city.db" "$T/newer.db"
sqlite3 "$T/newer.db" "INSERT INTO schema_migrations VALUES (9999, 'future', 0)"
expect_exit 1 "newer source schema" "$BIN" migrate-to-pg --db "$T/newer.db" --pg "$BASE/$A" --key-file "$T/city.db.key"
grep -q newer "$T/err" && ok "newer schema message" || bad "newer schema message: $(cat "$T/err")"

# A copy that fails half-way (a constraint the target adds on users, copied after sites and
# departments) commits nothing.
"$BIN" init --pg "$BASE/$B" --key-file "$T/b.key" >/dev/null 2>&1 || bad "init --pg"
q $B "DELETE FROM holidays; DELETE FROM calendar_years; ALTER TABLE users ADD CONSTRAINT no_admin CHECK (login <> 'admin')" \
  || bad "prepare the failing target"
expect_exit 1 "a failing copy exits 1" "$BIN" migrate-to-pg --db "$T/city.db" --pg "$BASE/$B"
grep -q "users" "$T/err" && ok "the failure names the table" || bad "the failure names the table: $(cat "$T/err")"
[ "$(q $B 'SELECT (SELECT COUNT(*) FROM sites) + (SELECT COUNT(*) FROM departments) + (SELECT COUNT(*) FROM audit)')" = 0 ] \
  && ok "a failed copy leaves nothing" || bad "a failed copy leaves nothing"
# init filled the calendar: such a target is refused as not empty
"$BIN" init --pg "$BASE/$B" --key-file "$T/b.key" >/dev/null 2>&1
expect_exit 1 "a target after init (calendar rows) is refused" "$BIN" migrate-to-pg --db "$T/city.db" --pg "$BASE/$B"
grep -q "not empty" "$T/err" && ok "not-empty message" || bad "not-empty message: $(cat "$T/err")"

# The migration.
expect_exit 0 "migrate-to-pg" "$BIN" migrate-to-pg --db "$T/city.db" --pg "$BASE/$A"
cp "$T/out" "$T/migrate.out"
n=$(grep -cE '^[a-z_]+ [0-9]+ [0-9a-f]{32} ok$' "$T/migrate.out")
[ "$n" -eq "$tables" ] && ok "one ok line per table ($n)" || bad "one ok line per table: $n of $tables: $(cat "$T/migrate.out")"
grep -q "MISMATCH" "$T/migrate.out" && bad "no mismatch" || ok "no mismatch"
rows=$(awk 'NF == 4 && $4 == "ok" { s += $2 } END { print s }' "$T/migrate.out")
grep -q "^migrated $tables tables, $rows rows$" "$T/migrate.out" && ok "summary line" || bad "summary line: $(cat "$T/migrate.out")"
for t in sites users items materials audit tickets complaints sessions holidays; do
  a=$(sqlite3 "$T/city.db" "SELECT COUNT(*) FROM $t"); b=$(q $A "SELECT COUNT(*) FROM $t")
  [ "$a" = "$b" ] && [ "$a" -gt 0 ] && ok "$t: $a rows on both" || bad "$t: $a rows in SQLite, $b in PostgreSQL"
done
a=$(sqlite3 "$T/city.db" "SELECT group_concat(id || ':' || COALESCE(parent_id, '-') || ':' || path || ':' || code, ',') FROM (SELECT * FROM sites ORDER BY id)")
b=$(q $A "SELECT string_agg(id || ':' || COALESCE(parent_id::text, '-') || ':' || path || ':' || code, ',' ORDER BY id) FROM sites")
[ "$a" = "$b" ] && ok "sites identical (ids, parents, paths)" || bad "sites differ: $a / $b"
a=$(sqlite3 "$T/city.db" "SELECT phone_sealed FROM complaints")
[ "$(q $A 'SELECT phone_sealed FROM complaints')" = "$a" ] && ok "sealed phone copied verbatim" || bad "sealed phone copied verbatim"
expect_exit 0 "audit-verify --pg" "$BIN" audit-verify --pg "$BASE/$A" --key-file "$T/city.db.key"
n=$(sqlite3 "$T/city.db" "SELECT COUNT(*) FROM audit")
grep -q "intact: $n entries" "$T/out" && ok "audit chain intact on PostgreSQL ($n)" || bad "audit chain on PostgreSQL: $(cat "$T/out")"

# Migrating again: the target is not empty now.
expect_exit 1 "a non-empty target is refused" "$BIN" migrate-to-pg --db "$T/city.db" --pg "$BASE/$A"
one_line "non-empty target"
[ "$(q $A 'SELECT COUNT(*) FROM sites')" = 12 ] && ok "refusal changed nothing" || bad "refusal changed nothing"

# Serve the copy: sign in, and new rows get ids after the copied ones (sequences were reset).
rm -f "$T/jar"
max_t=$(q $A "SELECT MAX(id) FROM tickets"); max_a=$(q $A "SELECT MAX(id) FROM audit")
serve --pg "$BASE/$A" --key-file "$T/city.db.key"
sign_in && ok "sign in on PostgreSQL" || bad "sign in on PostgreSQL: $(cat "$T/body")"
[ "$(api GET /api/v1/sites)" = 200 ] && [ "$(grep -o '"code":' "$T/body" | wc -l)" -eq 12 ] \
  && ok "the copied sites are served" || bad "the copied sites are served: $(cat "$T/body")"
# the resident's follow-up: the phone is matched under the copied key
[ "$(api GET "/api/v1/public/complaints/$code?phone=13800138000")" = 200 ] && grep -q "\"code\":\"$code\"" "$T/body" \
  && ok "the copied complaint is found with its phone" || bad "the copied complaint is found with its phone: $(cat "$T/body")"
[ "$(api POST /api/v1/public/tickets '{"site_id":1,"kind":"general"}')" = 201 ] && ok "ticket on PostgreSQL" || bad "ticket on PostgreSQL: $(cat "$T/body")"
stop
[ "$(q $A "SELECT MAX(id) FROM tickets")" = $((max_t + 1)) ] && ok "new ticket id follows the copied ones" || bad "new ticket id"
[ "$(q $A "SELECT MIN(id) FROM audit WHERE id > $max_a")" = $((max_a + 1)) ] && ok "new audit entries follow the chain" || bad "new audit entries"
expect_exit 0 "audit chain intact after serving" "$BIN" audit-verify --pg "$BASE/$A" --key-file "$T/city.db.key"

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
