#!/bin/bash
# Latency at a fixed rate (open loop): GetRequestStatus and stored submits sent at RATE requests
# per second — by default about half of Guichet's peak on this machine — by oha (`--qps` with
# `--latency-correction`, so that a stall counts for every request it delays, not only the one
# it held), and the percentiles it measured. One fresh Guichet (durability DUR, full by default)
# on a temporary data folder, 32 connections, DURATION seconds per operation.
#
#   bench/latency.sh                                   # status at 16000/s, submit at 3000/s
#   STATUS_RATE=20000 SUBMIT_RATE=4000 DURATION=30 bench/latency.sh
#   GUICHET_BIN=/path/to/guichet bench/latency.sh
#   OPS=submit DURATION=600 bench/latency.sh           # ten minutes of submits: the longest stall is "max"
#
# Needs oha (`cargo install --locked oha`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-full}
STATUS_RATE=${STATUS_RATE:-16000}
SUBMIT_RATE=${SUBMIT_RATE:-3000}
DURATION=${DURATION:-20}
. "$ROOT/bench/oha_server.sh"
run() { # label rate body
  "$OHA" --no-tui -z "${DURATION}s" -c 32 -q "$2" --latency-correction -m POST \
    -T 'text/xml; charset=utf-8' -H 'SOAPAction: ""' -D "$3" --output-format json "$url" >"$WORK/$1.json"
  python3 - "$1" "$2" "$WORK/$1.json" <<'PY'
import json, sys
label, rate, path = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(path))
p = r["latencyPercentiles"]; s = r["summary"]
codes = r.get("statusCodeDistribution", {})
ms = lambda v: "%.2f ms" % (v * 1000)
print("%-9s at %6s/s: %8.0f req/s done, p50 %s, p99 %s, p99.9 %s, max %s, status codes %s"
      % (label, rate, s["requestsPerSec"], ms(p["p50"]), ms(p["p99"]), ms(p["p99.9"]), ms(s["slowest"]), codes))
PY
}
for op in ${OPS:-status submit}; do
  case $op in
    status) run status "$STATUS_RATE" "$WORK/status.xml" ;;
    submit) run submit "$SUBMIT_RATE" "$BODY" ;;
  esac
done
echo "resident memory of the server: $(awk '/VmRSS/{r=$2} /VmHWM/{h=$2} END{printf "%.0f MiB now, %.0f MiB at most", r/1024, h/1024}' /proc/$GPID/status)"
