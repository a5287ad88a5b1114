#!/usr/bin/env bash
# Raw SOAP with curl: submit a road incident (SOAP 1.1), then follow it by its
# tracking code (SOAP 1.2). Usage: examples/curl/demo.sh [BASE_URL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
endpoint="${1:-http://127.0.0.1:8080}/demoville/soap"

receipt=$(curl -sS -H 'Content-Type: text/xml; charset=utf-8' \
  -H 'SOAPAction: "urn:guichet:demoville:SubmitRoadIncidentReport"' \
  --data-binary @"$here/submit-road-incident.xml" "$endpoint")
echo "$receipt"
code=$(printf '%s' "$receipt" | sed -n 's:.*<trackingCode>\([^<]*\)</trackingCode>.*:\1:p')
[ -n "$code" ] || { echo "no tracking code in the answer" >&2; exit 1; }

sed "s/TRACKING-CODE/$code/" "$here/get-request-status.xml" |
  curl -sS -H 'Content-Type: application/soap+xml; charset=utf-8' --data-binary @- "$endpoint"
echo
