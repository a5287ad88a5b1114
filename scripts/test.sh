#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need
# (xmllint, PHP SoapClient, JAX-WS wsimport, Python zeep and aiosmtpd, Chromium
# with playwright-core and axe-core, curl, poppler-utils for reading PDFs back, PostgreSQL,
# Dovecot for the mailboxes the town reads over IMAP, cargo-fuzz, FUSE and pyfuse3 for the
# power-cut test),
# checks format and lints, runs the Rust tests, then drives the release binary with real SOAP
# clients, the examples and a real browser, puts the XSS corpus through every channel and onto
# every page in that browser, runs each fuzz target briefly; then runs the integration tests, the interop and
# the browser suites again with every server on PostgreSQL (a throw-away cluster in a
# temporary folder, scripts/postgres.sh). Ends with one line "total: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Each step says how long the one before it took (the suite must stay within CI's time).
step_started=$SECONDS
step() { printf '\n(%d s)\n== %s\n' $((SECONDS - step_started)) "$*"; step_started=$SECONDS; }
failed_steps=()
passed=0 failed=0

step "Installing build and test dependencies"
scripts/install-build-deps.sh curl poppler-utils dovecot-imapd openssl fuse3 libfuse3-dev || { echo "could not install the build dependencies"; exit 1; }
tests/interop/install.sh || { echo "could not install the interop test dependencies"; exit 1; }
tests/browser/install.sh || { echo "could not install the browser test dependencies"; exit 1; }
# A real SMTP server for the notification tests (tests/notify.rs).
python3 -c 'import aiosmtpd' 2>/dev/null \
  || PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q aiosmtpd \
  || PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --break-system-packages aiosmtpd \
  || { echo "could not install aiosmtpd"; exit 1; }
# The power-cut test's filesystem (tests/powercut/lazyfs.py, FUSE).
python3 -c 'import pyfuse3' 2>/dev/null \
  || PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q pyfuse3 \
  || PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --break-system-packages pyfuse3 \
  || { echo "could not install pyfuse3"; exit 1; }

step "PostgreSQL (a throw-away cluster on 127.0.0.1)"
pg_port=${GUICHET_PG_PORT:-54329}
GUICHET_TEST_POSTGRES=$(scripts/postgres.sh start "$pg_port") || { echo "could not start PostgreSQL"; exit 1; }
export GUICHET_TEST_POSTGRES
trap 'scripts/postgres.sh stop "$pg_port"' EXIT
echo "$GUICHET_TEST_POSTGRES"

step "cargo fmt --check"
cargo fmt --check || failed_steps+=("cargo fmt")

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings || failed_steps+=("cargo clippy")

step "cargo test"
log=$(mktemp)
# --no-fail-fast: one failing test file does not hide what the others say.
cargo test --no-fail-fast 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("cargo test")
read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$log")
passed=$((passed + p)) failed=$((failed + f))

step "cargo build --release"
cargo build --release || { echo "release build failed"; exit 1; }
bin="$root/target/release/guichet"

count() { # adds the "N passed, M failed" line of a suite's output
  local line
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  [ -n "$line" ] || line="0 passed, 1 failed"  # the suite died before its summary
  passed=$((passed + $(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')))
  failed=$((failed + $(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')))
}

step "Fuzz targets (nightly cargo-fuzz, ${FUZZ_SECONDS:-20} s each)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("fuzz")
count "$log"

step "Examples (curl, zeep, PHP page)"
tests/examples.sh "$bin" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("examples")
count "$log"

step "Interoperability (zeep, PHP SoapClient, JAX-WS over SOAP 1.1 and 1.2; HTTPS with zeep and PHP)"
tests/interop/run.sh "$bin" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("interop")
count "$log"

step "Browser (headless Chromium: axe-core, keyboard, no JavaScript, iframe)"
tests/browser/run.sh "$bin" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("browser")
count "$log"

# Once, on SQLite: what a page shows does not depend on the store.
step "XSS corpus (every channel; every page, e-mail and PDF in headless Chromium)"
tests/xss/run.sh "$bin" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("xss")
count "$log"

# The same again with every server's store on PostgreSQL. Left out: the
# tests of how settings are read (commands), the SQLite store's own
# contract run, the generated types' check, which store nothing, and the
# crash test, which kills a server of its own on SQLite.
export GUICHET_TEST_BACKEND=postgres
step "cargo test on PostgreSQL (integration tests)"
pg_tests=()
for t in tests/*.rs; do
  name=$(basename "$t" .rs)
  case "$name" in commands|store_contract|store_contract_postgres|definition_types|cluster|crash) ;; *) pg_tests+=(--test "$name") ;; esac
done
cargo test --no-fail-fast "${pg_tests[@]}" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("cargo test on PostgreSQL")
read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$log")
passed=$((passed + p)) failed=$((failed + f))

step "Interoperability on PostgreSQL"
tests/interop/run.sh "$bin" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("interop on PostgreSQL")
count "$log"

step "Browser on PostgreSQL"
tests/browser/run.sh "$bin" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("browser on PostgreSQL")
count "$log"
unset GUICHET_TEST_BACKEND
rm -f "$log"

if [ ${#failed_steps[@]} -gt 0 ]; then
  echo
  echo "Failed: ${failed_steps[*]}"
  [ "$failed" -gt 0 ] || failed=1
fi
printf '\n(%d s; %d s in all)\n' $((SECONDS - step_started)) "$SECONDS"
echo "total: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
