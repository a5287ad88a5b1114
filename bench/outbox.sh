#!/bin/bash
# How fast the outbox sends a backlog: starts a real SMTP server (aiosmtpd, discarding what it
# receives) and Guichet sending to it, queues messages with N submits of bench/submit.xml while
# the outbox waits (each request gives one e-mail to the citizen and one to each of the roads
# department's agents with an address), restarts Guichet so that the outbox starts on the
# backlog, waits until every message is expanded and every delivery sent, and reports the
# e-mails sent per second (the 1 s before the outbox's first run included).
# Usage: bench/outbox.sh [N requests, default 300]
#        GUICHET_BIN=/path/to/guichet bench/outbox.sh     (to measure another binary)
# Needs: curl, python3 with aiosmtpd (pip install aiosmtpd), sqlite3.
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-300}
BIN=${GUICHET_BIN:-$ROOT/target/release/guichet}
[ -x "$BIN" ] || { [ -z "${GUICHET_BIN:-}" ] && (cd "$ROOT" && cargo build --release); }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/guichet-outbox.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
smtp_port=$(free_port)
python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Sink >"$WORK/smtp.log" 2>&1 &
PIDS+=($!)
port=$(free_port)
# The outbox waits while the burst runs (a long period), then drains.
"$BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/data" --smtp "smtp://127.0.0.1:$smtp_port" \
    --outbox-seconds 3600 >"$WORK/guichet.log" 2>&1 &
PIDS+=($!)
GPID=$!
for _ in $(seq 100); do curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
seq "$N" | xargs -P8 -I{} curl -s -o /dev/null -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: ""' --data-binary @"$ROOT/bench/submit.xml" "http://127.0.0.1:$port/demoville/soap"
db=$WORK/data/guichet.sqlite3
count() { sqlite3 "file:$db?mode=ro" "$1" 2>/dev/null || echo "?"; }
requests=$(count "SELECT count(*) FROM requests")
# Restart with a short period: the outbox starts on the backlog at once.
kill "$GPID"; wait "$GPID" 2>/dev/null || true
"$BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/data" --smtp "smtp://127.0.0.1:$smtp_port" \
    --outbox-seconds 1 >>"$WORK/guichet.log" 2>&1 &
PIDS+=($!)
start=$(date +%s.%N)
while :; do
    left=$(count "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending') + (SELECT count(*) FROM deliveries WHERE state = 'pending')")
    [ "$left" = "0" ] && break
    sleep 0.2
done
end=$(date +%s.%N)
sent=$(count "SELECT count(*) FROM deliveries WHERE state = 'sent'")
failed=$(count "SELECT count(*) FROM deliveries WHERE state = 'failed'")
python3 - "$requests" "$sent" "$failed" "$start" "$end" <<'PY'
import sys
requests, sent, failed, start, end = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
took = end - start
print("requests: %s; e-mails sent: %d (failed: %s) in %.1f s after the restart: %.0f e-mails/s" % (requests, sent, failed, took, sent / took))
PY
