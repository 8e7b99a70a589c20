#!/bin/sh
# Command-line behaviour of `bangban`: usage errors exit 2 with one line, --help exits 0,
# migrations are idempotent, a newer schema is refused, SIGTERM stops the server cleanly.
# Usage: cli.sh PATH/TO/bangban
set -u
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; fails=$((fails + 1)); }
expect_exit() { # expected-code description command...
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  if [ "$got" -eq "$want" ]; then ok "$what"; else bad "$what (exit $got, want $want): $(cat "$T/err")"; fi
}

expect_exit 2 "no command" "$BIN"
expect_exit 2 "unknown command" "$BIN" frobnicate
expect_exit 0 "top-level --help" "$BIN" --help
for c in serve init seed-demo import-catalog export-catalog audit-verify version; do
  expect_exit 0 "$c --help" "$BIN" "$c" --help
  grep -q "usage: bangban $c" "$T/out" || bad "$c --help prints its usage"
done
expect_exit 2 "unknown flag" "$BIN" serve --db "$T/x.db" --frobnicate
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "unknown flag error is one line" || bad "unknown flag error is one line"
expect_exit 2 "bad thread count" "$BIN" serve --db "$T/x.db" --threads 0
expect_exit 2 "bad listen address" "$BIN" serve --db "$T/x.db" --listen nohost
expect_exit 2 "flag without value" "$BIN" init --db
BANGBAN_THREADS=abc expect_exit 2 "bad environment value" "$BIN" serve --db "$T/x.db"
printf 'db = %s/x.db\nfrobnicate = 1\n' "$T" >"$T/bad.conf"
expect_exit 2 "unknown key in config file" "$BIN" serve --config "$T/bad.conf"
grep -q "bad.conf:2" "$T/err" && ok "config error names file:line" || bad "config error names file:line"

expect_exit 0 "version" "$BIN" version
grep -q "^bangban " "$T/out" && ok "version prints name" || bad "version prints name"

expect_exit 0 "init creates the database" "$BIN" init --db "$T/a.db"
expect_exit 0 "init again is a no-op" "$BIN" init --db "$T/a.db"
[ "$(sqlite3 "$T/a.db" 'SELECT COUNT(*) FROM schema_migrations')" -ge 1 ] && ok "migrations recorded" || bad "migrations recorded"
n1=$(sqlite3 "$T/a.db" 'SELECT COUNT(*) FROM schema_migrations')
"$BIN" init --db "$T/a.db" >/dev/null 2>&1
n2=$(sqlite3 "$T/a.db" 'SELECT COUNT(*) FROM schema_migrations')
[ "$n1" = "$n2" ] && ok "re-running migrations adds nothing" || bad "re-running migrations adds nothing"
[ "$(stat -c %a "$T/a.db.key")" = "600" ] && ok "init creates the key file 0600" || bad "init creates the key file 0600"
k1=$(cat "$T/a.db.key")
"$BIN" init --db "$T/a.db" >/dev/null 2>&1
[ "$(cat "$T/a.db.key")" = "$k1" ] && ok "init never overwrites the key" || bad "init never overwrites the key"
expect_exit 1 "serve without a key file refuses to start" "$BIN" serve --db "$T/a.db" --key-file "$T/none.key" --listen 127.0.0.1:1
grep -q "key file" "$T/err" && ok "missing key message" || bad "missing key message: $(cat "$T/err")"
perms=$(stat -c %a "$T/a.db")
[ "$perms" = "600" ] && ok "database file is 0600" || bad "database file is $perms, want 600"

expect_exit 0 "seed-demo" "$BIN" seed-demo --db "$T/d.db"
expect_exit 0 "seed-demo again" "$BIN" seed-demo --db "$T/d.db"
grep -q "nothing written" "$T/out" && ok "second seed writes nothing" || bad "second seed writes nothing"
[ "$(sqlite3 "$T/d.db" 'SELECT COUNT(*) FROM sites')" -eq 12 ] && ok "demo has 12 sites" || bad "demo has 12 sites"
[ "$(sqlite3 "$T/d.db" "SELECT COUNT(DISTINCT role) FROM users")" -eq 7 ] && ok "demo has every role" || bad "demo has every role"

expect_exit 0 "audit chain intact after seeding" "$BIN" audit-verify --db "$T/d.db"
cp "$T/d.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE audit SET detail = 'x' WHERE id = 1" 2>/dev/null && bad "audit rows cannot be updated" || ok "audit rows cannot be updated"
sqlite3 "$T/t.db" "DELETE FROM audit" 2>/dev/null && bad "audit rows cannot be deleted" || ok "audit rows cannot be deleted"
sqlite3 "$T/t.db" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'x' WHERE id = 1"
expect_exit 1 "tampered audit chain detected" "$BIN" audit-verify --db "$T/t.db"

sqlite3 "$T/a.db" "INSERT INTO schema_migrations VALUES (9999, 'future', 0)"
expect_exit 1 "newer schema refused" "$BIN" init --db "$T/a.db"
grep -q "newer" "$T/err" && ok "newer schema message" || bad "newer schema message: $(cat "$T/err")"

# SIGTERM: finish, close, exit 0. Port 0 is not allowed, so pick one from the kernel's free range.
port=$(( 20000 + $$ % 20000 ))
"$BIN" serve --db "$T/d.db" --listen "127.0.0.1:$port" 2>"$T/serve.log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && ok "server answers" || bad "server answers"
grep -q '"path":"/healthz"' "$T/serve.log" && ok "access log line" || bad "access log line"
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 0 ] && ok "SIGTERM exits 0" || bad "SIGTERM exits $rc"
grep -q '"msg":"stopped"' "$T/serve.log" && ok "stop logged" || bad "stop logged"

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
