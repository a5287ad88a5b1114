# HTTPS for the suites that drive the release binary (tests/interop/tls_test.sh,
# tests/browser/run.sh). Sourced, it uses "$bin" (the guichet binary) and defines:
#
#   make_test_certificates DIR   a throw-away CA (DIR/ca.pem) and a server certificate for
#                                IP:127.0.0.1 and DNS:localhost signed by it (DIR/server.pem,
#                                DIR/server.key: EC P-256), made with the openssl CLI
#   start_tls_server DATA CERTS LOG
#                                "$bin serve" over HTTPS with CERTS/server.pem and server.key,
#                                plain HTTP on --redirect-http, on two free loopback ports;
#                                waits for https://…/health trusting CERTS/ca.pem. Sets
#                                tls_port, tls_url, redirect_port, redirect_url, tls_pid;
#                                returns 1 (the log in LOG) if it never answered
#   stop_tls_server              stops it (call it from the EXIT trap)

make_test_certificates() {
    local dir="$1"
    mkdir -p "$dir"
    (
        cd "$dir" || exit 1
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
            -subj "/CN=Guichet interop test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            && printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'basicConstraints=CA:FALSE' \
                'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' \
                'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid,issuer' >san.cnf \
            && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
                -out server.csr -subj "/CN=127.0.0.1" \
            && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
                -out server.pem -days 2 -extfile san.cnf
    ) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; return 1; }
}

tls_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# `https_health URL CA`: does URL/health answer "ok" over HTTPS trusting CA?
https_health() {
    python3 - "$1" "$2" <<'PY' 2>/dev/null
import ssl, sys, urllib.request
try:
    context = ssl.create_default_context(cafile=sys.argv[2])
    ok = urllib.request.urlopen(sys.argv[1] + "/health", timeout=1, context=context).read().strip() == b"ok"
except Exception:
    ok = False
sys.exit(0 if ok else 1)
PY
}

tls_pid=""
start_tls_server() {
    local data="$1" certs="$2" log="$3" database=""
    mkdir -p "$data"
    if [ "${GUICHET_TEST_BACKEND:-}" = postgres ]; then
        # A database of its own on PostgreSQL, as it has a data folder of its own.
        database="guichet_tls_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
        psql "${GUICHET_TEST_POSTGRES:?}" -qAt -c "CREATE DATABASE $database" >/dev/null || return 1
        database="${GUICHET_TEST_POSTGRES%/*}/$database"
    fi
    for _attempt in 1 2 3; do
        tls_port="$(tls_free_port)"
        redirect_port="$(tls_free_port)"
        [ "$tls_port" != "$redirect_port" ] || continue
        tls_url="https://127.0.0.1:$tls_port"
        redirect_url="http://127.0.0.1:$redirect_port"
        GUICHET_DATABASE="${database:-${GUICHET_DATABASE:-}}" \
        "$bin" serve --listen "127.0.0.1:$tls_port" --data-dir "$data" \
            --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" \
            --redirect-http "127.0.0.1:$redirect_port" 2>>"$log" &
        tls_pid=$!
        for _ in $(seq 100); do
            https_health "$tls_url" "$certs/ca.pem" && break
            kill -0 "$tls_pid" 2>/dev/null || break
            sleep 0.1
        done
        https_health "$tls_url" "$certs/ca.pem" && return 0
        kill "$tls_pid" 2>/dev/null; wait "$tls_pid" 2>/dev/null; tls_pid=""
    done
    return 1
}

stop_tls_server() {
    if [ -n "$tls_pid" ] && kill -0 "$tls_pid" 2>/dev/null; then
        kill "$tls_pid" 2>/dev/null
        wait "$tls_pid" 2>/dev/null
    fi
    tls_pid=""
}
