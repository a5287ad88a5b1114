#!/usr/bin/env bash
# The `tls` interop suite: Guichet serving HTTPS itself, driven by real clients. Makes a
# throw-away CA and a certificate for 127.0.0.1 in $GUICHET_WORK, starts a second server of its
# own ("$GUICHET_BIN" serve --tls-cert --tls-key --redirect-http, its own data dir), runs
# tls_test.py (zeep/requests, redirect, HSTS, ALPN) and tls_test.php (SoapClient) against it,
# stops it. Run by run.sh (`run.sh BINARY tls`); prints PASS/FAIL lines, exits 1 if one failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${GUICHET_BIN:?GUICHET_BIN is not set}"
work="${GUICHET_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/guichet-tls.XXXXXX")}"
mkdir -p "$work"

. "$here/tls_server.sh"
trap stop_tls_server EXIT
trap 'exit 130' INT TERM

make_test_certificates "$work/certs" || { echo "FAIL tls/certificates: openssl could not make the test CA"; exit 2; }
if ! start_tls_server "$work/data" "$work/certs" "$work/server.log"; then
    echo "FAIL tls/server: did not answer https://…/health trusting the test CA; its log:"
    tail -n 30 "$work/server.log" | sed 's/^/  server: /'
    exit 1
fi
echo "# HTTPS server on $tls_url (redirect from $redirect_url), data in $work/data"

export GUICHET_TLS_URL="$tls_url" GUICHET_TLS_CA="$work/certs/ca.pem" GUICHET_REDIRECT_URL="$redirect_url" \
    GUICHET_WORK="$work"
status=0
# One client's script; its crash (a status other than 1, or no test reported) is a failure too.
run_part() {
    local name="$1" out rc
    shift
    out="$work/$name.out"
    "$@" 2>"$work/$name.err" | tee "$out"
    rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || status=1
    if [ "$rc" -gt 1 ] || ! grep -qE '^(PASS|FAIL) ' "$out"; then
        echo "FAIL tls/$name: exited with status $rc"
        tail -n 20 "$work/$name.err" | sed "s/^/  $name stderr: /"
    fi
}
run_part python python3 "$here/tls_test.py"
run_part php php "$here/tls_test.php"

if ! kill -0 "$tls_pid" 2>/dev/null; then
    echo "FAIL tls/server: died during the run; its log:"
    tail -n 30 "$work/server.log" | sed 's/^/  server: /'
    tls_pid=""
    status=1
elif [ "$status" -ne 0 ]; then
    grep -E 'WARN|ERROR' "$work/server.log" | tail -n 20 | sed 's/^/  tls server log: /'
fi
exit "$status"
