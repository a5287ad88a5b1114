#!/usr/bin/env bash
# Runs Guichet with the demo town on http://127.0.0.1:8080 (data in ./data),
# installing first what the build needs when it is missing: a C compiler (for
# the bundled SQLite), libxslt and libxml2 with pkg-config, and libclang (the
# libxml crate generates its bindings). Extra arguments go to `guichet serve`:
#   scripts/run.sh --listen 0.0.0.0:8080 --data-dir /var/lib/guichet
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-build-deps.sh
exec cargo run --release -- serve "$@"
