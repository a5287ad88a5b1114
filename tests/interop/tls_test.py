#!/usr/bin/env python3
"""HTTPS interoperability: Python zeep (requests) against Guichet serving TLS itself.

Environment (set by tls_test.sh):
  GUICHET_TLS_URL       https://127.0.0.1:PORT, the server started with --tls-cert/--tls-key
  GUICHET_TLS_CA        the test CA that signed its certificate (PEM)
  GUICHET_REDIRECT_URL  http://127.0.0.1:PORT2, its --redirect-http listener

Prints one `PASS name` or `FAIL name: why` line per test; exits 1 if any failed.
"""
import datetime
import decimal
import http.client
import os
import re
import socket
import ssl
import sys
import traceback
import urllib.parse

import requests
import zeep
from lxml import etree
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

TENANT = "demoville"
BASE = os.environ["GUICHET_TLS_URL"].rstrip("/")
CA = os.environ["GUICHET_TLS_CA"]
REDIRECT = os.environ["GUICHET_REDIRECT_URL"].rstrip("/")
WSDL = f"{BASE}/{TENANT}/soap?wsdl"
ENDPOINT = f"{BASE}/{TENANT}/soap"
PORTS = {"soap11": "TeleservicesSoap11Port", "soap12": "TeleservicesSoap12Port"}
ENV_NS = {
    "soap11": "http://schemas.xmlsoap.org/soap/envelope/",
    "soap12": "http://www.w3.org/2003/05/soap-envelope",
}
REFERENCE_RE = re.compile(r"^\d{4}-\d{6}$")
INCIDENT = "Nid-de-poule profond (> 10 cm) & dangereux pour les vélos <urgent>"

failures = 0


def one_line(error):
    return " ".join(str(error).split())


def check(name, fn, *args):
    """Run one test; a test fails by raising (AssertionError carries the reason)."""
    global failures
    try:
        note = fn(*args)
        print(f"PASS {name}{f': {note}' if note else ''}", flush=True)
    except AssertionError as e:
        failures += 1
        print(f"FAIL {name}: {one_line(e)}", flush=True)
    except Exception as e:  # unexpected error: give the type and the last frame
        failures += 1
        where = traceback.extract_tb(e.__traceback__)[-1]
        print(f"FAIL {name}: {type(e).__name__}: {one_line(e)} (line {where.lineno})", flush=True)


def eq(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def session(verify):
    """A requests Session with its own trust. trust_env off: with it, REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE in the environment would replace session.verify (psf/requests#3829)."""
    s = requests.Session()
    s.trust_env = False
    s.verify = verify
    return s


def trusting_session():
    return session(CA)


def system_session():
    """The default trust (certifi's bundle): the test CA is unknown to it."""
    return session(True)


def is_verify_failure(error):
    """A requests SSLError whose cause is the certificate chain, not anything else."""
    return isinstance(error, requests.exceptions.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(error)


class Zeep:
    def __init__(self):
        self.history = HistoryPlugin()
        self.client = None

    def load_wsdl(self):
        transport = Transport(session=trusting_session(), timeout=15, operation_timeout=15)
        self.client = zeep.Client(WSDL, transport=transport, plugins=[self.history])
        # The ports' addresses, as zeep read them, and in the document itself.
        ports = self.client.wsdl.services["Guichet"].ports
        for port in PORTS.values():
            eq(ports[port].binding_options["address"], ENDPOINT, f"{port} address read by zeep")
        wsdl = trusting_session().get(WSDL, timeout=15)
        eq(wsdl.status_code, 200, "WSDL status")
        doc = etree.fromstring(wsdl.content)
        locations = doc.xpath("//wsdl:service/wsdl:port/*[local-name()='address']/@location",
                              namespaces={"wsdl": "http://schemas.xmlsoap.org/wsdl/"})
        eq(sorted(locations), [ENDPOINT, ENDPOINT], "soap:address and soap12:address locations")
        return f"address {ENDPOINT}"

    def submit_and_status(self, version):
        service = self.client.bind("Guichet", PORTS[version])
        receipt = service.SubmitRoadIncidentReport(
            requester={"civility": "M", "firstName": "Jérôme", "lastName": "Ça & <Là>",
                       "address": {"street": "3 rue de l'Église", "postalCode": "59000",
                                   "town": "Démoville"}},
            category="pothole",
            location={"street": "12 avenue Jean-Jaurès", "postalCode": "59000",
                      "town": "Démoville", "latitude": decimal.Decimal("50.6292"),
                      "longitude": decimal.Decimal("3.0573")},
            locationDetails="Devant le n° 12, côté pair",
            description=INCIDENT,
            observedOn=datetime.date.today() - datetime.timedelta(days=1),
            immediateDanger=True)
        envelope = self.history.last_sent["envelope"]
        eq(envelope.nsmap.get(envelope.prefix), ENV_NS[version], "envelope namespace sent")
        assert REFERENCE_RE.match(receipt.reference), f"reference {receipt.reference!r}"
        # Links built from an HTTPS request are https ones.
        want = f"{BASE}/{TENANT}/track/{receipt.trackingCode}"
        eq(receipt.trackingUrl, want, "trackingUrl")
        st = service.GetRequestStatus(trackingCode=receipt.trackingCode)
        eq(st.reference, receipt.reference, "status reference")
        eq(st.service, "road-incident", "status service")
        eq(st.state, "received", "status state")
        return receipt.reference

    def untrusted_refused(self):
        """Without the test CA, loading the WSDL fails on the certificate; and a client
        made with it then told to use the system's trust fails to call."""
        try:
            zeep.Client(WSDL, transport=Transport(session=system_session(), timeout=15))
            raise AssertionError("the WSDL loaded without trusting the test CA")
        except requests.exceptions.RequestException as e:
            assert is_verify_failure(e), f"not a certificate failure: {type(e).__name__}: {e}"
        client = zeep.Client(WSDL, transport=Transport(session=trusting_session(), timeout=15))
        client.transport.session = system_session()
        try:
            client.bind("Guichet", PORTS["soap11"]).ListServices()
            raise AssertionError("a SOAP call went through without trusting the test CA")
        except requests.exceptions.RequestException as e:
            assert is_verify_failure(e), f"not a certificate failure: {type(e).__name__}: {e}"
        return "CERTIFICATE_VERIFY_FAILED for the WSDL and for a call"


def plain_request(method, path, host=None, body=None):
    """One request to the --redirect-http listener, redirects not followed."""
    parts = urllib.parse.urlsplit(REDIRECT)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Host": host} if host else {}
    if body is not None:
        headers["Content-Type"] = "text/xml; charset=utf-8"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def redirect_308():
    https_port = urllib.parse.urlsplit(BASE).port
    path = f"/{TENANT}/track?code=ABCD-EFGH-JKMN-PQRS&lang=en"
    resp = plain_request("GET", path)
    eq(resp.status, 308, "GET status")
    eq(resp.getheader("Location"), f"{BASE}{path}", "GET Location")
    assert resp.getheader("Strict-Transport-Security") is None, \
        "Strict-Transport-Security sent over plain HTTP (RFC 6797 §7.2 forbids it)"
    # 308 keeps the method: a SOAP POST is sent on to the HTTPS endpoint.
    resp = plain_request("POST", f"/{TENANT}/soap", body="<x/>")
    eq(resp.status, 308, "POST status")
    eq(resp.getheader("Location"), ENDPOINT, "POST Location")
    # The host the client asked for is kept, with the HTTPS port.
    resp = plain_request("GET", f"/{TENANT}/", host=f"localhost:{urllib.parse.urlsplit(REDIRECT).port}")
    eq(resp.getheader("Location"), f"https://localhost:{https_port}/{TENANT}/", "Location for Host localhost")
    # Followed by requests (trusting the CA): the page over HTTPS.
    r = trusting_session().get(f"{REDIRECT}/{TENANT}/", timeout=10)
    eq([h.status_code for h in r.history], [308], "redirects followed")
    eq((r.status_code, r.url), (200, f"{BASE}/{TENANT}/"), "final answer")
    return "GET, POST and Host localhost"


def hsts():
    seen = {}
    for path in [f"/{TENANT}/", f"/{TENANT}/soap?wsdl", "/health"]:
        r = trusting_session().get(f"{BASE}{path}", timeout=15)
        eq(r.status_code, 200, f"{path} status")
        value = r.headers.get("Strict-Transport-Security")
        assert value, f"{path}: no Strict-Transport-Security header"
        m = re.match(r"^\s*max-age=(\d+)\s*(;|$)", value)
        assert m and int(m.group(1)) >= 15552000, f"{path}: Strict-Transport-Security {value!r} (max-age of 180 days or more expected)"
        seen[path] = value
    return seen[f"/{TENANT}/"]


def protocols():
    """What zeep's connection negotiated (requests/urllib3 speak HTTP/1.1)."""
    context = ssl.create_default_context(cafile=CA)
    context.set_alpn_protocols(["h2", "http/1.1"])
    parts = urllib.parse.urlsplit(BASE)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=parts.hostname) as s:
            assert s.version() in ("TLSv1.2", "TLSv1.3"), f"TLS version {s.version()}"
            eq(s.selected_alpn_protocol(), "h2", "ALPN with h2 offered")
            negotiated = s.version()
    context = ssl.create_default_context(cafile=CA)
    context.set_alpn_protocols(["http/1.1"])
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=parts.hostname) as s:
            eq(s.selected_alpn_protocol(), "http/1.1", "ALPN with http/1.1 only")
    return negotiated


z = Zeep()
check("tls/zeep/load-wsdl-soap-address-is-https", z.load_wsdl)
if z.client is not None:
    for v in PORTS:
        check(f"tls/zeep/{v}/submit-road-incident-and-status", z.submit_and_status, v)
check("tls/zeep/untrusted-ca-refused", z.untrusted_refused)
check("tls/python/tls-version-and-alpn", protocols)
check("tls/redirect-http-308-to-https", redirect_308)
check("tls/strict-transport-security", hsts)
sys.exit(1 if failures else 0)
