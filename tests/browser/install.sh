#!/usr/bin/env bash
# Install what the browser suite needs, skipping quickly what is already there:
#   Debian's chromium (/usr/bin/chromium; playwright never downloads a browser here), and the npm
#   packages of package-lock.json (playwright-core, axe-core, oidc-provider: the OpenID provider
#   the account tests sign in with) with `npm ci`, run only when
#   node_modules is missing or does not match the lock file.
# Idempotent; runs `apt-get update` only when a Debian package is missing. Needs root for apt,
# and Node.js 20 or later with npm (playwright-core requires it).
set -euo pipefail
cd "$(dirname "$0")"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ ! -x /usr/bin/chromium ]; then
    echo "install.sh: installing chromium (Debian)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "install.sh: node and npm are needed (Node.js 20 or later)" >&2
    exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "install.sh: Node.js $(node --version) is too old: playwright-core needs 20 or later" >&2
    exit 1
fi

# node_modules is current when every package of the lock file is installed at its locked version.
current() {
    node -e '
        const fs = require("fs");
        const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
        for (const [where, pkg] of Object.entries(lock.packages || {})) {
            if (!where) continue;
            let installed;
            try { installed = JSON.parse(fs.readFileSync(where + "/package.json", "utf8")).version; } catch { process.exit(1); }
            if (installed !== pkg.version) process.exit(1);
        }
    ' 2>/dev/null
}
if [ ! -d node_modules ] || ! current; then
    echo "install.sh: npm ci"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

echo "install.sh: $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version)," \
    "playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version')," \
    "axe-core $(node -p 'require("./node_modules/axe-core/package.json").version')," \
    "oidc-provider $(node -p 'require("./node_modules/oidc-provider/package.json").version')"
