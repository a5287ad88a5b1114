#!/usr/bin/env bash
# Runs Guichet with the demo town on http://127.0.0.1:8080 (data in ./data),
# installing first what the build needs when it is missing: a C compiler (for
# the bundled SQLite), libxslt and libxml2 with pkg-config, and libclang (the
# libxml crate generates its bindings). Extra arguments go to `guichet serve`:
#   scripts/run.sh --listen 0.0.0.0:8080 --data-dir /var/lib/guichet
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v cc >/dev/null || missing+=(gcc libc6-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
for pkg in libxslt1-dev libxml2-dev libclang-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
exec cargo run --release -- serve "$@"
