#!/usr/bin/env bash
# Page rendering benchmark: the catalogue, two form pages, the tracking page
# (each an XML view turned into HTML by libxslt) and the WSDL, measured with wrk (keep-alive, 2 threads,
# 32 connections, 10 s) three times back to back; prints the median requests
# per second and the median p99 latency.
#   bench/pages.sh                      # builds the release binary if needed
#   GUICHET_BIN=path/to/guichet REPS=5 DURATION=10s bench/pages.sh
# wrk and the server share the machine's cores: on 2 cores, renders per core
# are at least the figure divided by 2 (wrk takes part of the CPU).
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GUICHET_BIN:-$root/target/release/guichet}
reps=${REPS:-3}
duration=${DURATION:-10s}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x "$bin" ] || (cd "$root" && cargo build --release)
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" 2>"$data/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port/demoville"

# One request to follow, submitted over SOAP.
code=$(curl -fsS -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$root/examples/curl/submit-road-incident.xml" "$base/soap" |
  sed -n 's:.*<trackingCode>\([^<]*\)</trackingCode>.*:\1:p')
[ -n "$code" ] || { echo "could not submit a request" >&2; exit 1; }

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }'; }

printf '%-12s %12s %10s   (%s reps of wrk -t2 -c32 -d%s; %s cores)\n' page "req/s" "p99 ms" "$reps" "$duration" "$(nproc)"
# The catalogue of the whole library, a short form, the longest form with
# repeating groups and conditional fields, a tracking page, and the WSDL of
# every service (served from its cache).
for page in "catalogue:$base/" "form:$base/services/birth-certificate" "form-groups:$base/services/marriage-file" "tracking:$base/track/$code" "wsdl:$base/soap?wsdl"; do
  name=${page%%:*} url=${page#*:}
  status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  [ "$status" = 200 ] || { echo "$url answered $status" >&2; exit 1; }
  rates=() p99s=()
  for _ in $(seq "$reps"); do
    out=$(wrk -t2 -c32 -d"$duration" --latency "$url")
    if grep -q "Non-2xx" <<<"$out"; then echo "$name: non-2xx answers under load" >&2; echo "$out" >&2; exit 1; fi
    rates+=("$(awk '/Requests\/sec/ { print $2 }' <<<"$out")")
    p99s+=("$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)")
  done
  printf '%-12s %12.0f %10.2f\n' "$name" "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${p99s[@]}" | median)"
done
