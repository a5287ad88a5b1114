#!/usr/bin/env bash
# Installs, when missing, the Debian packages Guichet's build needs: a C
# compiler (bundled SQLite), pkg-config, libxslt and libxml2 (the page
# renderer) and libclang (the libxml crate generates its bindings), plus any
# extra package names given as arguments. Used by scripts/run.sh and
# scripts/test.sh.
set -euo pipefail
missing=()
command -v cc >/dev/null || missing+=(gcc libc6-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
for pkg in libxslt1-dev libxml2-dev libclang-dev "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
