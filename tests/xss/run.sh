#!/usr/bin/env bash
# XSS suite: start BINARY on a free loopback port with a fresh data dir, run run.mjs against it
# (every payload of payloads.txt and a mutation of each, put in through every channel, then every
# page, e-mail and PDF that shows them opened in headless Chromium with a hook on script runs),
# stop it. A Dovecot serves the town's mailbox for the e-mails that come in.
#
#   tests/xss/run.sh BINARY
#
# Prints its figures, then a last line `N passed, M failed`. Exits non-zero if a payload ran, was
# found unescaped, or the suite could not run. Tools: tests/browser/install.sh (Chromium,
# playwright-core), pdftotext (poppler-utils), dovecot (dovecot-imapd), openssl.
set -uo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 BINARY" >&2
    exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/guichet-xss.XXXXXX")"

. "$here/../lib/server.sh" # start_server; stops it and removes $work on exit

[ -f "$here/../browser/node_modules/playwright-core/package.json" ] || {
    echo "FAIL xss suite: playwright-core is not installed (run tests/browser/install.sh)"
    echo "0 passed, 1 failed"
    exit 1
}
. "$here/../interop/tls_server.sh" # make_test_certificates
. "$here/../lib/imap.sh"
trap 'stop_imap; cleanup' EXIT
start_server
echo "# server $bin on $url, data in $work/data"
# The town's mailbox, read over IMAP with TLS: the suite drops messages in its Maildir.
start_imap "$work/imap" "$work/maildir" || { echo "FAIL xss suite: no IMAP server"; echo "0 passed, 1 failed"; exit 1; }
echo "# dovecot on 127.0.0.1:$imap_port, Maildir $work/maildir"
IMAP_URL="imaps://$imap_user:$imap_password@localhost:$imap_port/INBOX" IMAP_CA="$imap_ca" MAILDIR="$work/maildir" \
    XSS_LIMIT="${XSS_LIMIT:-}" GUICHET_URL="$url" GUICHET_DATA_DIR="$work/data" GUICHET_BIN="$bin" timeout 1500 node "$here/run.mjs"
rc=$?
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "FAIL server: died during the run; its log:"
    tail -n 30 "$work/server.log" | sed 's/^/  server: /'
    echo "0 passed, 1 failed"
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    grep -E 'WARN|ERROR' "$work/server.log" | tail -n 20 | sed 's/^/  server log: /'
fi
exit "$rc"
