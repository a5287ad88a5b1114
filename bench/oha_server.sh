# Sourced by latency.sh and burst.sh: finds oha ($OHA), starts Guichet through submit_server.sh,
# submits bench/submit.xml once and writes $WORK/status.xml, a GetRequestStatus envelope for
# that request's tracking code. Expects ROOT and DUR.
OHA=${OHA:-$(command -v oha || echo "$HOME/.cargo/bin/oha")}
[ -x "$OHA" ] || { echo "oha is missing: cargo install --locked oha" >&2; exit 1; }
. "$ROOT/bench/submit_server.sh"
resp=$(curl -s -H 'Content-Type: text/xml; charset=utf-8' --data-binary "@$BODY" "$url")
tc=$(sed -n 's:.*<trackingCode>\([^<]*\)</trackingCode>.*:\1:p' <<<"$resp")
[ -n "$tc" ] || { echo "the submit failed: $resp" >&2; exit 1; }
printf '%s' "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:g=\"urn:guichet:demoville\"><soapenv:Body><g:GetRequestStatus><g:trackingCode>$tc</g:trackingCode></g:GetRequestStatus></soapenv:Body></soapenv:Envelope>" >"$WORK/status.xml"
