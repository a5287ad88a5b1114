#!/usr/bin/env bash
# Install what the interoperability suite needs, skipping quickly what is already there:
#   PHP with ext-soap and ext-dom (php-cli php-soap php-xml), xmllint (libxml2-utils),
#   JAX-WS RI 2.3 with wsimport (jaxws, libjaxws-java), a JDK with javac (default-jdk-headless),
#   Python zeep and prometheus_client (pip), and the openssl CLI (the `tls` suite makes its test CA with it).
# Idempotent; runs `apt-get update` only when a Debian package is missing. Needs root for apt.
set -euo pipefail

need=()
php_has() { command -v php >/dev/null && php -r "exit(extension_loaded('$1') ? 0 : 1);" 2>/dev/null; }

command -v php >/dev/null || need+=(php-cli)
php_has soap || need+=(php-soap)
php_has dom || need+=(php-xml)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v wsimport >/dev/null || need+=(jaxws)
[ -f /usr/share/java/jaxws-rt.jar ] || need+=(libjaxws-java)
command -v javac >/dev/null || need+=(default-jdk-headless)
command -v openssl >/dev/null || need+=(openssl)
python3 -c 'import zeep' 2>/dev/null || python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)

if [ ${#need[@]} -gt 0 ]; then
    echo "install.sh: installing ${need[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if ! python3 -c 'import zeep' 2>/dev/null; then
    echo "install.sh: installing zeep"
    # A Debian-managed python3 refuses plain pip installs (PEP 668): retry past that guard.
    export PIP_ROOT_USER_ACTION=ignore
    python3 -m pip install -q zeep \
        || python3 -m pip install -q --break-system-packages zeep
fi

if ! python3 -c 'import prometheus_client' 2>/dev/null; then
    echo "install.sh: installing prometheus_client (the metrics suite parses /metrics with it)"
    export PIP_ROOT_USER_ACTION=ignore
    python3 -m pip install -q prometheus_client \
        || python3 -m pip install -q --break-system-packages prometheus_client
fi

python3 -c 'import zeep' && php_has soap && php_has dom && command -v xmllint >/dev/null \
    && command -v wsimport >/dev/null && command -v javac >/dev/null && command -v openssl >/dev/null \
    && echo "install.sh: zeep $(python3 -c 'import zeep; print(zeep.__version__)'), $(php -r 'echo "PHP ", PHP_VERSION;'), $(javac -version 2>&1), wsimport $(wsimport -version 2>/dev/null | tail -1)"
