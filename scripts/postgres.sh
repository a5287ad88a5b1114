#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: installs Debian's postgresql
# package if needed, creates a cluster in a temporary folder (owned by the
# `postgres` user when run as root: initdb refuses root), starts it on
# 127.0.0.1 with trust authentication, and prints its URL on stdout.
#
#   url=$(scripts/postgres.sh start [PORT])   # postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/postgres.sh stop                  # stops it and removes its folder
#
# The folder is named in $GUICHET_PG_DIR (default /tmp/guichet-pg-PORT); the
# cluster listens on loopback only, never on a public address. It runs with
# fsync off (a test server) unless GUICHET_PG_FSYNC=on (the benchmark's).
set -euo pipefail

cmd=${1:-start}
port=${2:-${GUICHET_PG_PORT:-54329}}
dir=${GUICHET_PG_DIR:-/tmp/guichet-pg-$port}

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

as_owner() { # runs a server command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if ! bin=$(bindir); then
    echo "installing PostgreSQL (Debian's postgresql package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; } >&2 \
      || { echo "could not install postgresql" >&2; exit 1; }
    # Debian's package starts its own cluster on 5432: not ours, leave it off.
    (pg_ctlcluster --help >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | while read -r v n _; do
      pg_ctlcluster "$v" "$n" stop 2>/dev/null || true; done) >&2 || true
    bin=$(bindir)
  fi
  if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    exit 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # A test server: fast over safe (the durability tests are SQLite's), enough
  # connections for two nodes, their pools and the test cases side by side.
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
fsync = ${GUICHET_PG_FSYNC:-off}
synchronous_commit = ${GUICHET_PG_FSYNC:-off}
full_page_writes = ${GUICHET_PG_FSYNC:-off}
shared_buffers = 128MB
EOF
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  if bin=$(bindir) && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop [PORT]" >&2
  exit 2
  ;;
esac
