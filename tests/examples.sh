#!/usr/bin/env bash
# Runs the examples in examples/ against a real Guichet, as a webmaster would:
# the curl demo, the zeep script, and the PHP page served by PHP's own server.
# Usage: tests/examples.sh path/to/guichet
set -uo pipefail
bin=$(realpath "${1:?usage: tests/examples.sh path/to/guichet}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pass=0 fail=0
. "$root/tests/lib/server.sh"  # start_server; stops it and removes $work on exit
php_pid=""
trap 'kill $php_pid 2>/dev/null; cleanup' EXIT
start_server
base=$url

check() { # name, command...
  local name=$1; shift
  if out=$("$@" 2>&1); then echo "PASS $name"; pass=$((pass+1)); else echo "FAIL $name"; echo "$out" | tail -20; fail=$((fail+1)); fi
}

curl_demo() { out=$("$root/examples/curl/demo.sh" "$base") && grep -q '<reference>2026-' <<<"$out" && grep -q '<state>received</state>' <<<"$out"; }
zeep_demo() { out=$(python3 "$root/examples/zeep_client.py" "$base") && grep -q 'Code de suivi' <<<"$out" && grep -q 'birthDate: birth-date-in-future' <<<"$out" && grep -q 'copies: above-maximum' <<<"$out"; }

php_port=$(free_port)
GUICHET_WSDL="$base/demoville/soap?wsdl" php -S "127.0.0.1:$php_port" -t "$root/examples/php" >"$work/php.log" 2>&1 &
php_pid=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$php_port/report-incident.php" && break; sleep 0.1; done
page="http://127.0.0.1:$php_port/report-incident.php"
php_form() { curl -fsS "$page" | grep -q '<form method="post">'; }
php_submit() {
  out=$(curl -fsS "$page" --data-urlencode 'firstName=Zoé' --data-urlencode 'lastName=Lefèvre & <Fils>' \
    --data-urlencode 'email=zoe@example.fr' --data-urlencode 'category=lighting' --data-urlencode 'street=3 place de l’Église' \
    --data-urlencode 'postalCode=75002' --data-urlencode 'town=Démoville' --data-urlencode 'description=Lampadaire éteint depuis trois jours' \
    --data-urlencode 'observedOn=2026-11-01') && grep -q 'id="reference">2026-' <<<"$out" && grep -q 'id="tracking-code">' <<<"$out"
}
php_errors() {
  out=$(curl -fsS "$page" --data-urlencode 'firstName=Zoé' --data-urlencode 'lastName=' --data-urlencode 'email=pas-un-email' \
    --data-urlencode 'category=pothole' --data-urlencode 'street=1 rue Haute' --data-urlencode 'postalCode=7500' \
    --data-urlencode 'town=Démoville' --data-urlencode 'description=court' --data-urlencode 'observedOn=2026-11-01') &&
  grep -q 'id="f-lastName-error"' <<<"$out" && grep -q 'id="f-email-error"' <<<"$out" &&
  grep -q 'id="f-postalCode-error"' <<<"$out" && grep -q 'id="f-description-error"' <<<"$out" &&
  grep -q 'value="Zoé"' <<<"$out"
}

check "curl demo: submit (SOAP 1.1) then status (SOAP 1.2)" curl_demo
check "zeep example: list, submit, follow, fault details" zeep_demo
check "PHP page shows its form" php_form
check "PHP page submits through SoapClient and shows the receipt" php_submit
check "PHP page shows each field's error from the fault detail" php_errors

echo "examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
