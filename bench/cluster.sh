#!/usr/bin/env bash
# Stored submits per second: one node on SQLite, one node on PostgreSQL, two
# nodes on one PostgreSQL, on this machine, each with a fresh store and the
# same wrk load (bench/submit.xml, loopback only, bounded). What counts is
# what was stored: requests in the database after the run, divided by the
# run's length (wrk's own req/s is printed beside it).
#
#   bench/cluster.sh                 # 3 × 10 s runs, wrk -t2 -c32 in all
#   DURATION=20 CONNECTIONS=64 bench/cluster.sh
#
# PostgreSQL is a throw-away cluster of its own (scripts/postgres.sh on port
# 54339, with fsync ON, as SQLite's --durability full syncs every commit).
# Needs wrk (Debian wrk), psql, sqlite3.
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${GUICHET_BIN:-$ROOT/target/release/guichet}
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release)
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { echo "needs wrk"; exit 1; }; }
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
PG_PORT=54339
WORK=$(mktemp -d "${TMPDIR:-/tmp}/guichet-cluster-bench.XXXXXX")
chmod 755 "$WORK"  # the cluster's folder inside is the postgres user's
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  GUICHET_PG_DIR=$WORK/pg "$ROOT/scripts/postgres.sh" stop "$PG_PORT" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
PG=$(GUICHET_PG_DIR=$WORK/pg GUICHET_PG_FSYNC=on "$ROOT/scripts/postgres.sh" start "$PG_PORT")
cat >"$WORK/submit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
local f = io.open("$ROOT/bench/submit.xml", "rb"); wrk.body = f:read("*a"); f:close()
LUA

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_node NAME [DATABASE_URL]: a node on a fresh data folder; prints its port.
start_node() {
  local name=$1 db=${2:-} port
  port=$(free_port)
  mkdir -p "$WORK/$name"
  GUICHET_DATABASE=$db GUICHET_SECRET=$SECRET GUICHET_LOG=warn \
    "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/$name" --durability full \
    --outbox-seconds 3600 >"$WORK/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
  echo "$port"
}

# load PORT... : wrk on each port at once, the connections shared out; wrk's req/s summed.
load() {
  local n=$# c=$((CONNECTIONS / $#)) out=() i=0
  for port in "$@"; do
    wrk -t1 -c"$c" -d"${DURATION}s" -s "$WORK/submit.lua" "http://127.0.0.1:$port/demoville/soap" >"$WORK/wrk.$i" 2>&1 &
    out+=($!); i=$((i + 1))
  done
  wait "${out[@]}"
  cat "$WORK"/wrk.* | awk '/Requests\/sec/ { s += $2 } /Non-2xx/ { bad += $NF } END { printf "%.0f %d\n", s, bad }'
  rm -f "$WORK"/wrk.*
}

new_db() { psql "$PG" -qAt -c "CREATE DATABASE $1" >/dev/null; echo "${PG%/*}/$1"; }

printf '%-28s %14s %14s %10s\n' setup "stored/s" "wrk req/s" "non-2xx"
# One node, SQLite.
p=$(start_node sqlite)
read -r rps bad < <(load "$p")
stored=$(sqlite3 "$WORK/sqlite/guichet.sqlite3" 'SELECT count(*) FROM requests')
printf '%-28s %14.0f %14s %10s\n' "1 node, SQLite (full)" "$(echo "$stored / $DURATION" | bc -l)" "$rps" "$bad"
# One node, PostgreSQL.
db=$(new_db bench_one)
p=$(start_node pg-one "$db")
read -r rps bad < <(load "$p")
stored=$(psql "$db" -qAt -c 'SELECT count(*) FROM requests')
printf '%-28s %14.0f %14s %10s\n' "1 node, PostgreSQL" "$(echo "$stored / $DURATION" | bc -l)" "$rps" "$bad"
# Two nodes, one PostgreSQL.
db=$(new_db bench_two)
p1=$(start_node pg-a "$db")
p2=$(start_node pg-b "$db")
read -r rps bad < <(load "$p1" "$p2")
stored=$(psql "$db" -qAt -c 'SELECT count(*) FROM requests')
gaps=$(psql "$db" -qAt -c 'SELECT max(number) - count(*) FROM requests')
printf '%-28s %14.0f %14s %10s\n' "2 nodes, one PostgreSQL" "$(echo "$stored / $DURATION" | bc -l)" "$rps" "$bad"
echo "references missing in the two-node run (must be 0): $gaps"
echo "machine: $(nproc) cores, $(uname -r); wrk -c$CONNECTIONS -d${DURATION}s; PostgreSQL $(psql "$PG" -qAt -c 'SHOW server_version') with fsync on"
