#!/bin/bash
# Submit throughput as the database grows: one Guichet on a fresh data folder, ROUNDS back-to-back
# runs of wrk posting bench/submit.xml, and after each the requests stored, the database and WAL
# sizes, req/s and p99. Shows whether stored submits slow down as tables and indexes outgrow the
# page cache.
# Usage: bench/growth.sh [full|normal] [ROUNDS, default 8] [wrk args, default -t2 -c32 -d10s]
#        GUICHET_BIN=/path/to/guichet bench/growth.sh    (to measure another binary)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${1:-full}; shift || true
ROUNDS=${1:-8}; shift || true
ARGS=${*:--t2 -c32 -d10s}
. "$ROOT/bench/submit_server.sh"
db=$WORK/data/guichet.sqlite3
printf 'round\tstored\tdb_MiB\twal_MiB\treq/s\tp99\n'
for r in $(seq "$ROUNDS"); do
    wrk $ARGS --latency -s "$SOAP_LUA" "$url" >"$WORK/wrk.out" 2>&1
    sleep 1  # the last commits
    stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute("SELECT count(*) FROM requests").fetchone()[0])' "$db")
    size() { [ -f "$1" ] && echo "scale=1; $(stat -c %s "$1") / 1048576" | bc || echo 0; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$stored" "$(size "$db")" "$(size "$db-wal")" \
        "$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")" "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")"
done
if grep -qE 'WARN|ERROR' "$WORK/guichet.log"; then
    echo "guichet logged:"; grep -E 'WARN|ERROR' "$WORK/guichet.log" | head -5
fi
