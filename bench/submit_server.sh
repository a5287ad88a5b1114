# Sourced by threads.sh and cpu_per_submit.sh: starts Guichet on a fresh data folder under a
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
# temporary one ($WORK, removed on exit with the server), with durability $DUR, and sets $url
# (its SOAP endpoint), $GPID and $SOAP_LUA (the anchors' wrk script posting $BODY).
# Expects ROOT; honours GUICHET_BIN and ANCHORS.
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/soap}
BIN=${GUICHET_BIN:-$ROOT/target/release/guichet}
[ -x "$BIN" ] || { [ -z "${GUICHET_BIN:-}" ] && (cd "$ROOT" && cargo build --release); }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/guichet-bench.XXXXXX")
GPID=""
trap '[ -n "$GPID" ] && kill "$GPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
SOAP_LUA=$WORK/soap.lua
cp "$ANCHORS/bench/soap.lua" "$SOAP_LUA"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/data" --durability "$DUR" ${SERVE_ARGS:-} >"$WORK/guichet.log" 2>&1 &
GPID=$!
for _ in $(seq 100); do curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
url=http://127.0.0.1:$port/demoville/soap
export BODY=$ROOT/bench/submit.xml
