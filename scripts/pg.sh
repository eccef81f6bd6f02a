#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, for tests and benchmarks.
#   source scripts/pg.sh   → exports MREG_TEST_DATABASE_URL and PG_TMP, registers a trap that stops it on exit.
# The cluster lives under /tmp, is owned by the `postgres` OS user (PostgreSQL refuses to run as root), uses trust
# auth on loopback only, and is stopped by its postmaster pid and removed on exit.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

mreg_pg_start() {
  if [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "PostgreSQL 15 not found at $PG_BIN" >&2
    return 1
  fi
  PG_TMP=$(mktemp -d /tmp/mreg-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$PG_TMP"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres --no-sync >"$PG_TMP/initdb.log" 2>&1 || {
    cat "$PG_TMP/initdb.log" >&2; return 1; }
  local port
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $PG_TMP -c fsync=off -c max_connections=200" start >/dev/null || {
    cat "$PG_TMP/server.log" >&2; return 1; }
  "${run[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres mreg_test
  export MREG_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/mreg_test"
  export PG_TMP
  trap mreg_pg_stop EXIT
  echo "PostgreSQL 15 on 127.0.0.1:$port (pid $(head -1 "$PG_TMP/data/postmaster.pid"))"
}

mreg_pg_stop() {
  [ -n "${PG_TMP:-}" ] && [ -f "$PG_TMP/data/postmaster.pid" ] || return 0
  local pid
  pid=$(head -1 "$PG_TMP/data/postmaster.pid")
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -rf "$PG_TMP"
}
