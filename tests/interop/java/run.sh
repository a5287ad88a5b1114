#!/usr/bin/env bash
# Generate JAX-WS clients from the live WSDLs with wsimport (the citizen-facing one into guichet.ws,
# the exchange API's into guichet.interop.exchange), compile them with InteropTest.java and
# ExchangeTest.java and run them (InteropTest runs ExchangeTest after its own tests).
# Needs GUICHET_URL, GUICHET_BIN, GUICHET_DATA_DIR (and optionally GUICHET_WORK), like the
# other suites. Generated code and classes go to java/build/ (git-ignored), wiped first.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="$here/build"
wsdl="${GUICHET_URL%/}/demoville/soap?wsdl"
exchange_wsdl="${GUICHET_URL%/}/demoville/exchange?wsdl"

# JAX-WS RI 2.3 from Debian (jaxws, libjaxws-java): the jars' manifests pull in the rest
# (JAXB, jws-api, saaj-api...); saaj-impl, streambuffer, policy, stax-ex, mimepull are
# loaded by name at run time, so list them too.
jars=/usr/share/java
cp="$jars/jaxws-rt.jar:$jars/jaxws-api.jar:$jars/jaxb-api.jar:$jars/jaxb-impl.jar:$jars/jaxb-core.jar"
cp="$cp:$jars/jws-api.jar:$jars/javax.xml.soap-api.jar:$jars/saaj-impl.jar:$jars/streambuffer.jar"
cp="$cp:$jars/metro-policy.jar:$jars/stax-ex.jar:$jars/mimepull.jar:$jars/javax.activation.jar"
cp="$cp:$jars/gmbal.jar:$jars/istack-commons-runtime.jar"

rm -rf "$build"
mkdir -p "$build/gen" "$build/classes"

# -extension: without it wsimport ignores the SOAP 1.2 port (it warns that the port "uses a
# non-standard SOAP 1.2 binding", which is what -extension accepts).
if ! wsimport -quiet -extension -Xnocompile -s "$build/gen" -d "$build/classes" -p guichet.ws \
        "$wsdl" >"$build/wsimport.log" 2>&1; then
    cat "$build/wsimport.log" >&2
    echo "FAIL jaxws/build: wsimport failed on $wsdl"
    exit 1
fi
grep -q 'getTeleservicesSoap12Port()' "$build/gen/guichet/ws/Guichet.java" \
    || { echo "FAIL jaxws/build: wsimport generated no SOAP 1.2 port"; exit 1; }

# The exchange API for business software (ExchangeTest.java), its own package beside guichet.ws.
if ! wsimport -quiet -extension -Xnocompile -s "$build/gen" -d "$build/classes" -p guichet.interop.exchange \
        "$exchange_wsdl" >"$build/wsimport-exchange.log" 2>&1; then
    cat "$build/wsimport-exchange.log" >&2
    echo "FAIL jaxws/build: wsimport failed on $exchange_wsdl"
    exit 1
fi
grep -q 'getExchangeSoap12Port()' "$build/gen/guichet/interop/exchange/GuichetExchange.java" \
    || { echo "FAIL jaxws/build: wsimport generated no SOAP 1.2 exchange port"; exit 1; }

if ! javac -nowarn -encoding UTF-8 -cp "$cp" -d "$build/classes" \
        $(find "$build/gen" "$here/src" -name '*.java') 2>"$build/javac.log"; then
    cat "$build/javac.log" >&2
    echo "FAIL jaxws/build: javac failed"
    exit 1
fi

# TieredStopAtLevel=1: start fast, these tests are short. Naming the SAAJ factory silences a
# deprecation warning printed on every call when it is found through META-INF/services.
exec java -XX:TieredStopAtLevel=1 -Dfile.encoding=UTF-8 -Dguichet.fixtures="$here/../../fixtures" \
    -Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl \
    -cp "$build/classes:$cp" guichet.interop.InteropTest
