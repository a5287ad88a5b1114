#!/usr/bin/env python3
"""Operators' side: `GET /metrics` read by Prometheus' own Python client parser
(prometheus_client), and the server's JSON log lines, against a running Guichet
(started by run.sh with GUICHET_LOG_FORMAT=json, after the other suites).

Environment (set by run.sh):
  GUICHET_URL         base URL of the server
  GUICHET_SERVER_LOG  the server's stderr (JSON lines)

Prints one `PASS name` or `FAIL name: why` line per test; exits 1 if any failed.
"""
import json
import os
import re
import sys
import traceback
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

BASE_URL = os.environ["GUICHET_URL"].rstrip("/")
LOG = os.environ["GUICHET_SERVER_LOG"]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

failures = 0


def test(fn):
    global failures
    try:
        fn()
        print(f"PASS {fn.__name__}")
    except Exception as e:  # noqa: BLE001 - every failure is reported the same way
        failures += 1
        why = str(e).replace("\n", " ")[:400] or type(e).__name__
        print(f"FAIL {fn.__name__}: {why}")
        traceback.print_exc(file=sys.stderr)
    return fn


def http(path, data=None, headers=None):
    req = urllib.request.Request(BASE_URL + path, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def soap(body):
    return http("/demoville/soap", body, {"Content-Type": "text/xml; charset=utf-8"})


def scrape():
    status, headers, body = http("/metrics")
    assert status == 200, status
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers["Content-Type"]
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    return families


def value(families, name, sample=None, **labels):
    """The value of the sample `sample` (default: the family's name) with these labels."""
    family = families.get(name)
    if family is None:
        return 0.0
    wanted = sample or name
    for s in family.samples:
        if s.name == wanted and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return 0.0


with open(os.path.join(ROOT, "examples", "curl", "submit-road-incident.xml"), "rb") as f:
    SUBMIT = f.read()
NOT_XML = b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'><soapenv:Body>"


@test
def metrics_parse_and_count_what_the_server_did():
    before = scrape()
    status, _, _ = soap(SUBMIT)
    assert status == 200, status
    status, _, _ = soap(NOT_XML)
    assert status == 500, status
    after = scrape()
    # prometheus_client names a counter's family without its _total suffix.
    stored = value(after, "guichet_submits", "guichet_submits_total", channel="soap")
    assert stored == value(before, "guichet_submits", "guichet_submits_total", channel="soap") + 1, stored
    faults = value(after, "guichet_soap_faults", "guichet_soap_faults_total", code="Client")
    assert faults == value(before, "guichet_soap_faults", "guichet_soap_faults_total", code="Client") + 1, faults
    ok = value(after, "guichet_http_requests", "guichet_http_requests_total", route="soap", status="200")
    assert ok == value(before, "guichet_http_requests", "guichet_http_requests_total", route="soap", status="200") + 1
    assert value(after, "guichet_http_requests", "guichet_http_requests_total", route="metrics", status="200") >= 1
    assert after["guichet_http_requests"].type == "counter"


@test
def latency_histograms_are_whole():
    families = scrape()
    h = families["guichet_http_request_duration_seconds"]
    assert h.type == "histogram", h.type
    buckets = [s for s in h.samples if s.name.endswith("_bucket") and s.labels["route"] == "soap"]
    count = value(families, "guichet_http_request_duration_seconds",
                  "guichet_http_request_duration_seconds_count", route="soap")
    assert count >= 2, count
    values = [s.value for s in sorted(buckets, key=lambda s: float(s.labels["le"]))]
    assert values == sorted(values), "cumulative buckets"
    inf = [s.value for s in buckets if s.labels["le"] == "+Inf"]
    assert inf == [count], (inf, count)
    batch = families["guichet_store_writer_batch_size"]
    assert value(families, "guichet_store_writer_batch_size",
                 "guichet_store_writer_batch_size_count") >= 1 or batch.samples


@test
def gauges_are_read_when_scraped():
    families = scrape()
    assert families["guichet_outbox_depth"].type == "gauge"
    channels = {s.labels["channel"] for s in families["guichet_outbox_depth"].samples}
    assert {"email", "sms"} <= channels, channels
    # The road incident asked for an e-mail: waiting (no SMTP server here), or sent.
    wal = value(families, "guichet_store_wal_bytes")
    assert wal >= 0
    assert families["guichet_store_writer_queue"].type == "gauge"


@test
def labels_never_carry_a_tenant_or_a_path():
    families = scrape()
    routes = {s.labels.get("route") for f in families.values() for s in f.samples if "route" in s.labels}
    allowed = {"health", "metrics", "soap", "soap-test", "exchange", "open311", "xsd", "admin",
               "testers", "backoffice", "account", "assets", "pages", "other"}
    assert routes <= allowed, routes - allowed
    text = http("/metrics")[2].decode()
    assert "demoville" not in text


@test
def metrics_are_refused_through_a_proxy():
    for header in ({"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7"}):
        status, _, body = http("/metrics", headers=header)
        assert status == 403, (header, status)
        assert b"guichet_" not in body


@test
def json_logs_have_one_line_per_request_without_personal_data():
    marker = "/demoville/suivi?code=ABCD-EFGH-JKMN-PQRS"
    http(marker)
    with open(LOG, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    events = [json.loads(line) for line in lines]  # every line is JSON
    requests = [e for e in events if e.get("target") == "guichet::access"]
    assert requests, "no request line"
    for e in requests:
        for field in ("tenant", "route", "method", "status", "duration_ms", "timestamp", "level"):
            assert field in e, (field, e)
        assert "path" not in e and "peer" not in e, e
    text = "".join(lines)
    assert "ABCD-EFGH-JKMN-PQRS" not in text, "a tracking code in the logs"
    assert "zoe.lefevre@example.fr" not in text and "Lefèvre" not in text, "the requester in the logs"
    soap_lines = [e for e in requests if e["route"] == "soap" and e["tenant"] == "demoville"]
    assert any(e["status"] == 200 for e in soap_lines), soap_lines[-3:]
    assert all(isinstance(e["duration_ms"], (int, float)) for e in requests)
    assert re.match(r"^\d{4}-\d\d-\d\dT", requests[0]["timestamp"]), requests[0]["timestamp"]


sys.exit(1 if failures else 0)
