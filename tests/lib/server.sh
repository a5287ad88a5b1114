# Shared by the suites that drive the release binary (tests/interop,
# tests/browser, tests/examples.sh). Sourced, it defines free_port, health and
# start_server, which starts "$bin serve" on a free loopback port with its
# data in "$work/data" and sets port, url and server_pid; on exit the server is
# stopped and "$work" removed.

# On PostgreSQL (GUICHET_TEST_BACKEND=postgres, as scripts/test.sh's second
# pass sets it, with GUICHET_TEST_POSTGRES the URL of its throw-away server),
# every server gets a fresh database, and the servers and commands share one
# secret, as the nodes of a cluster do.
on_postgres() { [ "${GUICHET_TEST_BACKEND:-}" = postgres ]; }
# One test client sends everything from 127.0.0.1: no rate limits, but
# where a test sets its own.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
if on_postgres; then
    export GUICHET_SECRET=5e115e115e115e115e115e115e115e115e115e115e115e115e115e115e115e11
fi

# Prints the URL of a new empty database named guichet_PURPOSE_RANDOM.
new_database() {
    local name
    name="guichet_$1_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
    psql "${GUICHET_TEST_POSTGRES:?GUICHET_TEST_POSTGRES is not set}" -qAt \
        -c "CREATE DATABASE $name" >/dev/null || return 1
    echo "${GUICHET_TEST_POSTGRES%/*}/$name"
}

server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

health() {
    python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
try:
    ok = urllib.request.urlopen(sys.argv[1] + "/health", timeout=1).read().strip() == b"ok"
except Exception:
    ok = False
sys.exit(0 if ok else 1)
PY
}

start_server() {
    # If the port was taken in the meantime, try another one.
    mkdir -p "$work/data"
    if on_postgres; then
        # Exported: the suite's own `guichet` commands reach the same data.
        GUICHET_DATABASE=$(new_database suite) || { echo "FAIL server: no PostgreSQL database"; echo "0 passed, 1 failed"; exit 1; }
        export GUICHET_DATABASE
    fi
    for _attempt in 1 2 3; do
        port="$(free_port)"
        url="http://127.0.0.1:$port"
        "$bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data" 2>>"$work/server.log" &
        server_pid=$!
        for _ in $(seq 100); do
            health "$url" && break
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        health "$url" && break
        kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
    done
    if [ -z "$server_pid" ]; then
        echo "FAIL server: did not answer /health; its log:"
        sed 's/^/  server: /' "$work/server.log"
        echo "0 passed, 1 failed"
        exit 1
    fi
}
