#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for tests and benchmarks.
#   scripts/pg.sh start   → prints postgresql://postgres@127.0.0.1:PORT/postgres (one line on stdout)
#   scripts/pg.sh stop    → stops it and removes its files
#   scripts/pg.sh url     → prints the URL of the running server
# The cluster lives in a temporary directory (trust auth, listening on 127.0.0.1 only).
# As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${KG_PG_STATE:-var/pg.state}
mkdir -p var

find_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [ -x "$b/initdb" ] && { echo "$b"; return 0; }; done
  b=$(dirname "$(command -v initdb 2>/dev/null || true)")
  [ -x "$b/initdb" ] && { echo "$b"; return 0; }
  echo "pg.sh: PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it" >&2
  return 1
}

as_owner() {  # run a command as the cluster owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start() {
  if [ -f "$STATE" ]; then
    # shellcheck disable=SC1090
    . "$STATE"
    if as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "postgresql://postgres@127.0.0.1:$PORT/postgres"; return 0
    fi
    rm -f "$STATE"
  fi
  local bin dir port
  bin=$(find_bin)
  dir=$(mktemp -d /tmp/kg-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  port=${KG_PG_PORT:-$(free_port)}
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { echo "pg.sh: initdb failed:" >&2; tail -n 20 "$dir/initdb.log" >&2; return 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null 2>&1 \
    || { echo "pg.sh: the server did not start:" >&2; tail -n 20 "$dir/server.log" >&2; return 1; }
  printf 'BIN=%q\nDIR=%q\nPORT=%q\n' "$bin" "$dir" "$port" > "$STATE"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

stop() {
  [ -f "$STATE" ] || return 0
  # shellcheck disable=SC1090
  . "$STATE"
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR" "$STATE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$STATE" ] && { . "$STATE"; echo "postgresql://postgres@127.0.0.1:$PORT/postgres"; } ;;
  *) echo "usage: scripts/pg.sh start|stop|url" >&2; exit 2 ;;
esac
