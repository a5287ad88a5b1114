#!/usr/bin/env bash
# Browser suite: start BINARY on a free loopback port with a fresh data dir, run run.mjs (headless
# Debian Chromium driven by playwright-core, axe-core) against it, stop it. A second server, over
# HTTPS with a throw-away CA (tests/interop/tls_server.sh), is started beside it for the https test.
#
#   tests/browser/run.sh BINARY [FILTER...]     (FILTERs: run only the tests whose name has one)
#
# Prints every test's PASS/FAIL line, then a last line `N passed, M failed`. Exits non-zero if
# any test failed, the suite could not run, or the server died. Tools: tests/browser/install.sh.
set -uo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 BINARY [FILTER...]" >&2
    exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/guichet-browser.XXXXXX")"
started=$SECONDS

. "$here/../lib/server.sh"  # start_server; stops it and removes $work on exit

fail_setup() {
    echo "FAIL browser suite: $*"
    echo "0 passed, 1 failed"
    exit 1
}

command -v node >/dev/null || fail_setup "node is missing (Node.js 20 or later)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail_setup "${CHROMIUM:-/usr/bin/chromium} is missing (run tests/browser/install.sh)"
[ -f "$here/node_modules/playwright-core/package.json" ] && [ -f "$here/node_modules/axe-core/axe.min.js" ] \
    || fail_setup "playwright-core or axe-core is not installed (run tests/browser/install.sh)"

start_server
echo "# server $bin on $url, data in $work/data"

# A second server over HTTPS for the https test (its own data dir, a throw-away CA, plain HTTP
# redirected), and the base64 SHA-256 of its key's SubjectPublicKeyInfo, which that test's
# Chromium is told to trust (--ignore-certificate-errors-spki-list).
. "$here/../interop/tls_server.sh"
trap 'stop_tls_server; cleanup' EXIT
tls_env=()
if ! command -v openssl >/dev/null; then
    echo "# no openssl CLI: the https test will fail"
elif ! make_test_certificates "$work/tls-certs"; then
    echo "# openssl could not make the test certificates: the https test will fail"
elif ! start_tls_server "$work/tls-data" "$work/tls-certs" "$work/tls-server.log"; then
    echo "# the HTTPS server did not answer https://…/health: the https test will fail; its log:"
    tail -n 20 "$work/tls-server.log" | sed 's/^/#   tls server: /'
else
    spki=$(openssl x509 -in "$work/tls-certs/server.pem" -pubkey -noout | openssl pkey -pubin -outform der \
        | openssl dgst -sha256 -binary | base64)
    tls_env=(GUICHET_TLS_URL="$tls_url" GUICHET_TLS_SPKI="$spki" GUICHET_REDIRECT_URL="$redirect_url")
    echo "# HTTPS server on $tls_url (redirect from $redirect_url), key SPKI sha256/$spki"
fi

# run.mjs prints its own summary line: hold it back, the one printed below counts everything.
env "${tls_env[@]}" GUICHET_URL="$url" GUICHET_DATA_DIR="$work/data" timeout 600 node "$here/run.mjs" "$@" 2>"$work/node.err" \
    | tee "$work/out" | grep --line-buffered -vE '^[0-9]+ passed, [0-9]+ failed$'
rc=${PIPESTATUS[0]}
passed=$(grep -c '^PASS ' "$work/out")
failed=$(grep -c '^FAIL ' "$work/out")

# run.mjs exits 1 when some tests failed; anything else is the suite itself failing.
if [ "$rc" -gt 1 ] || { [ "$rc" -eq 1 ] && [ "$failed" -eq 0 ]; } || [ $((passed + failed)) -eq 0 ]; then
    echo "FAIL browser suite: run.mjs exited with status $rc$([ "$rc" -eq 124 ] && echo ' (timed out after 600 s)')"
    failed=$((failed + 1))
fi
if [ "$rc" -ne 0 ] && [ -s "$work/node.err" ]; then
    tail -n 30 "$work/node.err" | sed 's/^/  node stderr: /'
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "FAIL server: died during the run; its log:"
    tail -n 30 "$work/server.log" | sed 's/^/  server: /'
    failed=$((failed + 1))
    server_pid=""
elif [ "$failed" -gt 0 ]; then
    grep -E 'WARN|ERROR' "$work/server.log" | tail -n 20 | sed 's/^/  server log: /'
fi
if [ -n "$tls_pid" ] && ! kill -0 "$tls_pid" 2>/dev/null; then
    echo "FAIL server (HTTPS): died during the run; its log:"
    tail -n 30 "$work/tls-server.log" | sed 's/^/  tls server: /'
    failed=$((failed + 1))
    tls_pid=""
elif [ "$failed" -gt 0 ] && [ -s "$work/tls-server.log" ]; then
    grep -E 'WARN|ERROR' "$work/tls-server.log" | tail -n 20 | sed 's/^/  tls server log: /'
fi
echo "# total $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
