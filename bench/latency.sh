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
#
# Needs oha (`cargo install --locked oha`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-full}
STATUS_RATE=${STATUS_RATE:-16000}
SUBMIT_RATE=${SUBMIT_RATE:-3000}
DURATION=${DURATION:-20}
OHA=${OHA:-$(command -v oha || echo "$HOME/.cargo/bin/oha")}
[ -x "$OHA" ] || { echo "oha is missing: cargo install --locked oha" >&2; exit 1; }
. "$ROOT/bench/submit_server.sh"
resp=$(curl -s -H 'Content-Type: text/xml; charset=utf-8' --data-binary "@$BODY" "$url")
tc=$(sed -n 's:.*<trackingCode>\([^<]*\)</trackingCode>.*:\1:p' <<<"$resp")
[ -n "$tc" ] || { echo "the submit failed: $resp" >&2; exit 1; }
printf '%s' "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:g=\"urn:guichet:demoville\"><soapenv:Body><g:GetRequestStatus><g:trackingCode>$tc</g:trackingCode></g:GetRequestStatus></soapenv:Body></soapenv:Envelope>" >"$WORK/status.xml"
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
run status "$STATUS_RATE" "$WORK/status.xml"
run submit "$SUBMIT_RATE" "$BODY"
echo "resident memory of the server: $(awk '/VmRSS/{r=$2} /VmHWM/{h=$2} END{printf "%.0f MiB now, %.0f MiB at most", r/1024, h/1024}' /proc/$GPID/status)"
