#!/usr/bin/env bash
# Interoperability suite: start BINARY on a free loopback port with a fresh data dir, run the
# zeep, PHP SoapClient and JAX-WS (wsimport) clients against it over SOAP 1.1 and 1.2, stop it.
# The `tls` suite starts a second server of its own over HTTPS (tls_test.sh) for zeep and PHP.
# The `metrics` suite, last, scrapes /metrics with Prometheus' Python parser and reads the
# server's log, written as JSON lines (GUICHET_LOG_FORMAT=json) for the whole run.
#
#   tests/interop/run.sh BINARY [zeep] [php] [jaxws] [tls] [metrics]     (default: all five)
#
# Prints every client's PASS/FAIL lines, then a last line `N passed, M failed`. Exits non-zero
# if any test failed, a suite could not run, or the server died. Tools: tests/interop/install.sh.
set -uo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 BINARY [zeep] [php] [jaxws] [tls] [metrics]" >&2
    exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(zeep php jaxws tls metrics)
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/guichet-interop.XXXXXX")"
started=$SECONDS

. "$here/../lib/server.sh"  # start_server; stops it and removes $work on exit

export GUICHET_LOG_FORMAT=json
start_server
echo "server $bin on $url, data in $work/data"

export GUICHET_URL="$url" GUICHET_BIN="$bin" GUICHET_DATA_DIR="$work/data" GUICHET_SERVER_LOG="$work/server.log"

passed=0
failed=0

# Tell why a suite cannot run, or nothing if its tools are there.
missing_tools() {
    case "$1" in
        zeep) python3 -c 'import zeep' 2>/dev/null \
                  || echo "python3 cannot import zeep (run tests/interop/install.sh)" ;;
        php) php -r 'exit(extension_loaded("soap") && extension_loaded("dom") ? 0 : 1);' 2>/dev/null \
                 || echo "php with ext-soap and ext-dom is missing (run tests/interop/install.sh)" ;;
        jaxws) { command -v wsimport && command -v javac && [ -f /usr/share/java/jaxws-rt.jar ]; } \
                   >/dev/null || echo "wsimport, javac or jaxws-rt.jar is missing (run tests/interop/install.sh)" ;;
        tls) { python3 -c 'import zeep, requests' 2>/dev/null \
                   && php -r 'exit(extension_loaded("soap") && extension_loaded("openssl") ? 0 : 1);' 2>/dev/null \
                   && command -v openssl >/dev/null; } \
                 || echo "the openssl CLI, python3 with zeep and requests, or php with ext-soap and ext-openssl is missing (run tests/interop/install.sh)" ;;
        metrics) python3 -c 'import prometheus_client' 2>/dev/null \
                     || echo "python3 cannot import prometheus_client (run tests/interop/install.sh)" ;;
        *) echo "no such suite (known: zeep php jaxws tls metrics)" ;;
    esac
}

for suite in "${suites[@]}"; do
    why="$(missing_tools "$suite")"
    if [ -n "$why" ]; then
        echo "FAIL $suite: cannot run: $why"
        failed=$((failed + 1))
        continue
    fi
    case "$suite" in
        zeep) cmd=(python3 "$here/zeep_test.py") ;;
        php) cmd=(php "$here/php_test.php") ;;
        jaxws) cmd=(bash "$here/java/run.sh") ;;
        tls) cmd=(bash "$here/tls_test.sh") ;;
        metrics) cmd=(python3 "$here/metrics_test.py") ;;
    esac
    mkdir -p "$work/$suite"
    suite_start=$SECONDS
    GUICHET_WORK="$work/$suite" timeout 150 "${cmd[@]}" >"$work/$suite.out" 2>"$work/$suite.err"
    rc=$?
    cat "$work/$suite.out"
    p=$(grep -c '^PASS ' "$work/$suite.out")
    f=$(grep -c '^FAIL ' "$work/$suite.out")
    passed=$((passed + p))
    failed=$((failed + f))
    # A suite exits 1 when some of its tests failed; anything else is the suite itself failing.
    if [ "$rc" -gt 1 ] || { [ "$rc" -eq 1 ] && [ "$f" -eq 0 ]; } || [ $((p + f)) -eq 0 ]; then
        echo "FAIL $suite: exited with status $rc$([ "$rc" -eq 124 ] && echo ' (timed out)')"
        failed=$((failed + 1))
    fi
    if [ "$rc" -ne 0 ] && [ -s "$work/$suite.err" ]; then
        tail -n 30 "$work/$suite.err" | sed "s/^/  $suite stderr: /"
    fi
    echo "# $suite: $p passed, $f failed in $((SECONDS - suite_start)) s"
done

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "FAIL server: died during the run; its log:"
    tail -n 30 "$work/server.log" | sed 's/^/  server: /'
    failed=$((failed + 1))
    server_pid=""
elif [ "$failed" -gt 0 ]; then
    tail -n 30 "$work/server.log" | sed 's/^/  server log: /'
fi
echo "# total $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
