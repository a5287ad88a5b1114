#!/bin/bash
# Catching up after a burst: BURST seconds of saturating submits (wrk, 32 connections), then at
# once GetRequestStatus at STATUS_RATE/s and submits at SUBMIT_RATE/s for DURATION seconds (oha,
# open loop with latency correction) while the outbox expands the burst's messages, and how
# many messages were still waiting every second until none was. No mail server is set (as in
# issue 19's measurement): the deliveries are written and wait.
#
#   bench/burst.sh                        # 20 s burst, then 20 s of status 8000/s + submits 1000/s
#   BURST=20 STATUS_RATE=8000 SUBMIT_RATE=1000 DURATION=20 GUICHET_BIN=… bench/burst.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-full}
BURST=${BURST:-20}
STATUS_RATE=${STATUS_RATE:-8000}
SUBMIT_RATE=${SUBMIT_RATE:-1000}
DURATION=${DURATION:-20}
. "$ROOT/bench/oha_server.sh"
db=$WORK/data/guichet.sqlite3
pending() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True, timeout=10); print(c.execute(\"SELECT count(*) FROM outbox WHERE state='pending'\").fetchone()[0], c.execute('SELECT count(*) FROM requests').fetchone()[0], c.execute('SELECT count(*) FROM deliveries').fetchone()[0])" "$db"; }
wrk -t2 -c32 -d"${BURST}s" -s "$SOAP_LUA" "$url" | grep -E "Requests/sec"
read -r waiting stored deliveries < <(pending)
echo "after the burst: $stored requests stored, $waiting messages waiting, $deliveries deliveries written"
start=$(date +%s.%N)
( while :; do
    read -r w s d < <(pending)
    printf '%6.1f s: %d messages waiting, %d deliveries\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$w" "$d"
    [ "$w" -eq 0 ] && break
    sleep 1
  done ) >"$WORK/catchup.txt" &
watcher=$!
oha_run() { # label rate body
  "$OHA" --no-tui -z "${DURATION}s" -c 16 -q "$2" --latency-correction -m POST \
    -T 'text/xml; charset=utf-8' -H 'SOAPAction: ""' -D "$3" --output-format json "$url" >"$WORK/$1.json"
}
oha_run status "$STATUS_RATE" "$WORK/status.xml" & s1=$!
oha_run submit "$SUBMIT_RATE" "$BODY" & s2=$!
wait $s1 $s2
for op in status submit; do
  python3 - "$op" "$WORK/$op.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2])); p = r["latencyPercentiles"]; s = r["summary"]
ms = lambda v: "%.2f ms" % (v * 1000)
print("%-7s during the catch-up: %7.0f req/s, p50 %s, p99 %s, p99.9 %s, max %s, codes %s"
      % (sys.argv[1], s["requestsPerSec"], ms(p["p50"]), ms(p["p99"]), ms(p["p99.9"]), ms(s["slowest"]), r.get("statusCodeDistribution")))
PY
done
for _ in $(seq 600); do kill -0 $watcher 2>/dev/null || break; sleep 1; done
kill $watcher 2>/dev/null || true
tail -1 "$WORK/catchup.txt" | sed 's/^/outbox caught up at /'
awk 'NR % 5 == 1' "$WORK/catchup.txt"
echo "resident memory of the server: $(awk '/VmRSS/{r=$2} /VmHWM/{h=$2} END{printf "%.0f MiB now, %.0f MiB at most", r/1024, h/1024}' /proc/$GPID/status)"
