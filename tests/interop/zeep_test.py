#!/usr/bin/env python3
"""Interoperability tests: Python zeep against a running Guichet server.

Environment (set by run.sh; see README.md to run alone):
  GUICHET_URL       base URL of the server, e.g. http://127.0.0.1:8080
  GUICHET_BIN       the guichet binary (for `guichet export`)
  GUICHET_DATA_DIR  the server's --data-dir
  GUICHET_WORK      a scratch directory (optional; default: a new temp dir)

Prints one `PASS name` or `FAIL name: why` line per test; exits 1 if any failed.
"""
import base64
import datetime
import decimal
import os
import contextlib
import io
import re
import subprocess
import sys
import tempfile
import traceback
import urllib.request

import zeep
import zeep.exceptions
from lxml import etree
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

TENANT = "demoville"
TNS = "urn:guichet:demoville"
ENV_NS = {
    "soap11": "http://schemas.xmlsoap.org/soap/envelope/",
    "soap12": "http://www.w3.org/2003/05/soap-envelope",
}
PORTS = {"soap11": "TeleservicesSoap11Port", "soap12": "TeleservicesSoap12Port"}
CLIENT_FAULT = {"soap11": "Client", "soap12": "Sender"}
# The first services; the demo town offers the whole library (40 and more).
SERVICE_CODES = {"birth-certificate", "school-enrolment", "road-incident",
                 "room-booking", "change-of-address", "association-directory"}
REFERENCE_RE = re.compile(r"^\d{4}-\d{6}$")
TRACKING_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")

# Text with non-ASCII and XML-special characters, checked after the round trip.
LAST_NAME = "Lefèvre & <Fils>"
REASON = "Dossier de mariage — « urgent » & <vite> ]]>"
INCIDENT = "Nid-de-poule profond (> 10 cm) & dangereux pour les vélos <urgent>"
ORGANISATION = "Association « Les Amis & <Voisins> » d’Œuvre"

BASE_URL = os.environ["GUICHET_URL"].rstrip("/")
BIN = os.environ["GUICHET_BIN"]
DATA_DIR = os.environ["GUICHET_DATA_DIR"]
WORK = os.environ.get("GUICHET_WORK") or tempfile.mkdtemp(prefix="zeep-interop-")
WSDL = f"{BASE_URL}/{TENANT}/soap?wsdl"

failures = 0


def one_line(error):
    return " ".join(str(error).split())


def check(name, fn, *args):
    """Run one test; a test fails by raising (AssertionError carries the reason)."""
    global failures
    try:
        fn(*args)
        print(f"PASS {name}", flush=True)
    except AssertionError as e:
        failures += 1
        print(f"FAIL {name}: {one_line(e)}", flush=True)
    except Exception as e:  # unexpected error: give the type and the last frame
        failures += 1
        where = traceback.extract_tb(e.__traceback__)[-1]
        print(f"FAIL {name}: {type(e).__name__}: {one_line(e)} (line {where.lineno})", flush=True)


def eq(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def today_at_offset(moment):
    """Today's date where the server stamped `moment` (an aware datetime)."""
    return datetime.datetime.now(datetime.timezone.utc).astimezone(moment.tzinfo).date()


def export_request(reference, code):
    """`guichet export` the stored request, validate it with xmllint, return the root."""
    out = subprocess.run([BIN, "export", "--data-dir", DATA_DIR, "--tenant", TENANT, reference],
                         capture_output=True, timeout=30)
    assert out.returncode == 0, f"export exited {out.returncode}: {out.stderr.decode()!r}"
    path = os.path.join(WORK, f"zeep-{reference}.xml")
    with open(path, "wb") as f:
        f.write(out.stdout)
    xsd = os.path.join(WORK, f"zeep-{code}.xsd")
    if not os.path.exists(xsd):
        urllib.request.urlretrieve(f"{BASE_URL}/{TENANT}/xsd/{code}.xsd", xsd)
    lint = subprocess.run(["xmllint", "--noout", "--schema", xsd, path],
                          capture_output=True, timeout=30)
    assert lint.returncode == 0, f"xmllint: {lint.stderr.decode().strip()!r}"
    return etree.fromstring(out.stdout)


def text_at(root, path):
    """Text of the element at a slash-separated path of local names in TNS."""
    el = root.find("/".join(f"{{{TNS}}}{p}" for p in path.split("/")))
    assert el is not None, f"export has no {path}"
    return el.text or ""


# A PDF sent with the birth certificate request (xs:base64Binary, zeep encodes the bytes).
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                       "piece-identite.pdf"), "rb") as pdf_file:
    PDF = pdf_file.read()


class Suite:
    def __init__(self, version):
        self.version = version
        self.prefix = f"zeep/{version}"
        self.history = HistoryPlugin()
        self.client = None
        self.service = None
        self.titles = {}
        self.receipts = []  # (code, receipt) in submission order

    def run(self):
        check(f"{self.prefix}/load-wsdl-and-list-services", self.list_services)
        if self.service is None:
            return
        check(f"{self.prefix}/submit-birth-certificate", self.submit, "birth-certificate",
              self.birth_certificate)
        check(f"{self.prefix}/submit-road-incident", self.submit, "road-incident",
              self.road_incident)
        check(f"{self.prefix}/submit-room-booking", self.submit, "room-booking",
              self.room_booking)
        check(f"{self.prefix}/submit-association-directory", self.submit,
              "association-directory", self.association_directory)
        check(f"{self.prefix}/references-increase", self.references_increase)
        for code, receipt in self.receipts:
            check(f"{self.prefix}/status-{code}", self.status, code, receipt)
            check(f"{self.prefix}/export-{code}", self.export, code, receipt)
        check(f"{self.prefix}/fault-birth-certificate", self.fault_birth_certificate)
        check(f"{self.prefix}/fault-unknown-tracking-code", self.fault_unknown_tracking_code)
        check(f"{self.prefix}/reply-to-request", self.reply_to_request)

    # 1. WSDL unchanged, the port for this SOAP version, five services
    def list_services(self):
        transport = Transport(timeout=15, operation_timeout=15)
        self.client = zeep.Client(WSDL, transport=transport, plugins=[self.history])
        service = self.client.bind("Guichet", PORTS[self.version])
        services = service.ListServices()
        sent_ns = self.history.last_sent["envelope"].nsmap.get(
            self.history.last_sent["envelope"].prefix)
        eq(sent_ns, ENV_NS[self.version], "envelope namespace sent")
        codes = {s.code for s in services}
        assert SERVICE_CODES <= codes and len(codes) >= 40, f"service codes: {sorted(codes)}"
        for s in services:
            # A request has a delay; a simulation (Simulate…) answers at once.
            assert s.title and (s.operation.startswith("Submit") and s.deadlineDays > 0
                                or s.operation.startswith("Simulate")), \
                f"incomplete service {s.code}: {s}"
            self.titles[s.code] = s.title
        eq(self.titles["change-of-address"], "Déclaration de changement d'adresse",
           "change-of-address title")
        self.service = service

    # 2. submits with non-ASCII and XML-special text
    def birth_certificate(self):
        return self.service.SubmitBirthCertificateRequest(
            requester={"civility": "Mme", "firstName": "Zoé", "lastName": LAST_NAME,
                       "email": "zoe.lefevre@example.fr", "phone": "06 12 34 56 78"},
            actType="extract-with-filiation", requesterRelation="self",
            personLastName=LAST_NAME, personFirstNames="Zoé Élise",
            birthDate=datetime.date(1990, 5, 17), birthPlace="Démoville",
            copies=2, deliveryMode="post", reason=REASON,
            identityDocument={"_value_1": PDF, "fileName": "pièce-zeep.pdf",
                              "mediaType": "application/pdf"})

    def road_incident(self):
        return self.service.SubmitRoadIncidentReport(
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

    def room_booking(self):
        return self.service.SubmitRoomBookingRequest(
            requester={"firstName": "Noël", "lastName": "Dupré", "email": "noel@example.fr"},
            room="salle-polyvalente", organisation=ORGANISATION,
            eventType="general-assembly",
            # A room is booked once per slot: each client and SOAP version its day.
            eventDate=datetime.date.today() + datetime.timedelta(
                days=14 if self.version == "soap11" else 15),
            startTime=datetime.time(18, 30), endTime=datetime.time(22, 0),
            attendees=60, equipment=["chairs", "projector"],
            comments="Accès PMR nécessaire ; café offert")

    def association_directory(self):
        # The new field types as zeep sends them: Amount as a Decimal,
        # Country from its enumeration, a partial date as text.
        return self.service.SubmitAssociationDirectoryRequest(
            requester={"firstName": "Zoé", "lastName": "Lefèvre", "email": "zoe@example.fr"},
            associationName="Les Amis du Vieux Démoville", rnaNumber="W595012345",
            creationDate="1912-03", category="culture",
            purpose="Sauvegarde du patrimoine de la commune.",
            headOfficeCountry="FR", siren="732 829 320", siret="73282932000074",
            membershipFee=decimal.Decimal("12.5"), ownsPremises=True,
            premisesParcel="AB 123", subsidies=True,
            iban="FR76 3000 6000 0112 3456 7890 189", bic="BNPAFRPP")

    def submit(self, code, call):
        receipt = call()
        assert REFERENCE_RE.match(receipt.reference), f"reference {receipt.reference!r}"
        assert TRACKING_RE.match(receipt.trackingCode), f"tracking code {receipt.trackingCode!r}"
        assert isinstance(receipt.dueDate, datetime.date), f"dueDate {receipt.dueDate!r}"
        assert receipt.dueDate > receipt.submittedAt.date(), "due date not after submission"
        assert receipt.trackingUrl.endswith(receipt.trackingCode), \
            f"trackingUrl {receipt.trackingUrl!r}"
        self.receipts.append((code, receipt))

    def references_increase(self):
        refs = [r.reference for _, r in self.receipts]
        eq(len(refs), 4, "receipts")
        key = [(int(r[:4]), int(r[5:])) for r in refs]
        assert key == sorted(key) and len(set(key)) == len(key), f"not increasing: {refs}"

    # 3. status and stored text
    def status(self, code, receipt):
        st = self.service.GetRequestStatus(trackingCode=receipt.trackingCode)
        eq(st.reference, receipt.reference, "reference")
        eq(st.service, code, "service")
        eq(st.serviceTitle, self.titles[code], "serviceTitle")
        if code == "birth-certificate":
            assert "d'acte" in st.serviceTitle, f"serviceTitle {st.serviceTitle!r}"
        eq(st.state, "received", "state")
        eq(st.stateLabel, "Reçue", "stateLabel")
        eq(st.dueDate, receipt.dueDate, "dueDate")
        eq(st.submittedAt, receipt.submittedAt, "submittedAt")
        assert st.step, "no steps"
        first = st.step[0]
        assert first.done and first.current, f"first step {first}"
        eq(first.date, today_at_offset(receipt.submittedAt), "first step date")
        eq(st.currentStep, first.label, "currentStep")
        assert not any(s.done for s in st.step[1:]), "later steps already done"

    def export(self, code, receipt):
        root = export_request(receipt.reference, code)
        eq(text_at(root, "reference"), receipt.reference, "reference")
        eq(text_at(root, "channel"), "soap", "channel")
        if code == "birth-certificate":
            eq(text_at(root, "requester/lastName"), LAST_NAME, "requester/lastName")
            eq(text_at(root, "requester/firstName"), "Zoé", "requester/firstName")
            eq(text_at(root, "personFirstNames"), "Zoé Élise", "personFirstNames")
            eq(text_at(root, "reason"), REASON, "reason")
            eq(text_at(root, "copies"), "2", "copies")
            doc = root.find(f"{{{TNS}}}identityDocument")
            assert doc is not None, "export has no identityDocument"
            eq(doc.get("fileName"), "pièce-zeep.pdf", "identityDocument fileName")
            eq(doc.get("mediaType"), "application/pdf", "identityDocument mediaType")
            eq(base64.b64decode(doc.text), PDF, "identityDocument content")
        elif code == "road-incident":
            eq(text_at(root, "requester/lastName"), "Ça & <Là>", "requester/lastName")
            eq(text_at(root, "requester/address/street"), "3 rue de l'Église", "street")
            eq(text_at(root, "description"), INCIDENT, "description")
            eq(decimal.Decimal(text_at(root, "location/latitude")), decimal.Decimal("50.6292"),
               "latitude")
            eq(decimal.Decimal(text_at(root, "location/longitude")), decimal.Decimal("3.0573"),
               "longitude")
        elif code == "room-booking":
            eq(text_at(root, "organisation"), ORGANISATION, "organisation")
            eq([e.text for e in root.findall(f"{{{TNS}}}equipment")], ["chairs", "projector"],
               "equipment")
            eq(text_at(root, "startTime")[:5], "18:30", "startTime")
        elif code == "association-directory":
            for name, canonical in [("siren", "732829320"), ("membershipFee", "12.50"),
                                    ("premisesParcel", "000AB0123"), ("creationDate", "1912-03"),
                                    ("iban", "FR7630006000011234567890189")]:
                eq(text_at(root, name), canonical, name)

    # 4, 5. faults
    def expect_fault(self, call):
        """Call, expect a zeep Fault, check its code and return the parsed ValidationFault."""
        try:
            call()
        except zeep.exceptions.Fault as fault:
            # zeep gives the code as the raw prefixed text: resolve it against the envelope.
            envelope = self.history.last_received["envelope"]
            code_el = envelope.find(".//{*}Fault/faultcode")
            if code_el is None:
                code_el = envelope.find(f".//{{{ENV_NS['soap12']}}}Code/{{{ENV_NS['soap12']}}}Value")
            assert code_el is not None, "no fault code in the response"
            eq(code_el.text.strip(), fault.code, "zeep fault code vs envelope")
            prefix, _, local = fault.code.rpartition(":")
            eq((code_el.nsmap.get(prefix or None), local),
               (ENV_NS[self.version], CLIENT_FAULT[self.version]), "fault code {namespace, local}")
            assert fault.message, "empty fault string/reason"
            assert fault.detail is not None and len(fault.detail), "fault without detail"
            element = self.client.get_element(f"{{{TNS}}}ValidationFault")
            return element.parse(fault.detail[0], self.client.wsdl.types)
        raise AssertionError("no fault raised")

    def fault_birth_certificate(self):
        future = datetime.date.today() + datetime.timedelta(days=365)
        detail = self.expect_fault(lambda: self.service.SubmitBirthCertificateRequest(
            requester={"firstName": "Zoé", "lastName": LAST_NAME, "email": "zoe@example.fr"},
            actType="extract-without-filiation", requesterRelation="self",
            personLastName="Lefèvre", personFirstNames="Zoé", birthDate=future,
            birthPlace="Démoville", copies=9, deliveryMode="counter"))
        errors = {e.field: e for e in detail.error}
        assert {"birthDate", "copies"} <= set(errors), f"fields {sorted(errors, key=str)}"
        eq(errors["birthDate"].code, "birth-date-in-future", "birthDate code")
        eq(errors["copies"].code, "above-maximum", "copies code")
        assert all(e.message for e in detail.error), "error without message"

    def fault_unknown_tracking_code(self):
        detail = self.expect_fault(
            lambda: self.service.GetRequestStatus(trackingCode="ZZZZ-ZZZZ-ZZZZ-ZZZZ"))
        eq([(e.field, e.code) for e in detail.error], [("trackingCode", "unknown-tracking-code")],
           "errors")

    def reply_to_request(self):
        """The citizen's message by tracking code: in the status answered,
        then in GetRequestStatus; an empty one is refused naming text."""
        code, receipt = self.receipts[0]
        text = f"Message du demandeur ({self.version})"
        st = self.service.ReplyToRequest(trackingCode=receipt.trackingCode, text=text)
        eq(st.reference, receipt.reference, "reference")
        mine = [m for m in (st.message or []) if m["from"] == "citizen"]
        assert any(m.text == text for m in mine), f"messages {st.message}"
        again = self.service.GetRequestStatus(trackingCode=receipt.trackingCode)
        assert any(m.text == text for m in (again.message or [])), "not in the status"
        detail = self.expect_fault(
            lambda: self.service.ReplyToRequest(trackingCode=receipt.trackingCode, text=" "))
        eq([(e.field, e.code) for e in detail.error], [("text", "required")], "errors")


class TwoTowns:
    """A second town added and given a library service by the operator's
    commands while the server runs; zeep sees each town's own WSDL,
    references and tracking codes, and nothing of the other's."""

    def __init__(self, demoville):
        self.demoville = demoville  # a Suite that ran: its service and receipts
        self.service = None
        self.receipt = None

    def run(self):
        check("zeep/two-towns/added-and-served-without-restart", self.add)
        if self.service is None:
            return
        check("zeep/two-towns/own-wsdl-and-services", self.own_services)
        check("zeep/two-towns/own-references", self.own_references)
        check("zeep/two-towns/tracking-codes-stay-in-their-town", self.tracking_codes)
        check("zeep/two-towns/test-phase-through-the-agents-endpoint", self.test_phase)

    def command(self, *args):
        env = dict(os.environ, GUICHET_AGENT_PASSWORD="autreville-2026-mairie",
                   GUICHET_DATA_DIR=DATA_DIR, GUICHET_LOG="error")
        done = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"guichet {' '.join(args)}: {done.stderr.strip()}"

    def add(self):
        self.command("tenant", "add", "autreville", "--name", "Ville d'Autreville",
                     "--admin", "maire")
        self.command("service", "enable", "road-incident", "--tenant", "autreville")
        wsdl = f"{BASE_URL}/autreville/soap?wsdl"
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=15)
        while True:
            try:
                with urllib.request.urlopen(wsdl, timeout=5) as r:
                    if b"SubmitRoadIncidentReport" in r.read():
                        break
            except OSError:
                pass
            assert datetime.datetime.now() < deadline, "the new town is not served"
            import time
            time.sleep(0.2)
        client = zeep.Client(wsdl, transport=Transport(timeout=15, operation_timeout=15))
        self.service = client.bind("Guichet", PORTS["soap11"])

    def own_services(self):
        services = self.service.ListServices()
        eq([s.code for s in services], ["road-incident"], "Autreville's services")
        ops = [op for op in dir(self.service) if op.startswith("Submit")]
        eq(ops, ["SubmitRoadIncidentReport"], "operations in Autreville's WSDL")

    def own_references(self):
        self.receipt = self.service.SubmitRoadIncidentReport(
            requester={"firstName": "Anne", "lastName": "Autre", "email": "anne@example.fr"},
            category="pothole",
            location={"street": "1 place de la Mairie", "postalCode": "59100",
                      "town": "Autreville"},
            description="Trou sur la place",
            observedOn=datetime.date.today())
        eq(self.receipt.reference[5:], "000001", "Autreville's first reference")
        assert "/autreville/track/" in self.receipt.trackingUrl, self.receipt.trackingUrl
        assert self.demoville.receipts, "Démoville had requests before"

    def tracking_codes(self):
        theirs = self.demoville.receipts[0][1].trackingCode
        try:
            self.service.GetRequestStatus(trackingCode=theirs)
            raise AssertionError("Démoville's code is known in Autreville")
        except zeep.exceptions.Fault as fault:
            assert "unknown-tracking-code" in etree.tostring(fault.detail).decode(), \
                etree.tostring(fault.detail).decode()
        ours = self.service.GetRequestStatus(trackingCode=self.receipt.trackingCode)
        eq(ours.reference, self.receipt.reference, "Autreville's own request")
        try:
            self.demoville.service.GetRequestStatus(trackingCode=self.receipt.trackingCode)
            raise AssertionError("Autreville's code is known in Démoville")
        except zeep.exceptions.Fault:
            pass


    def test_phase(self):
        """A service put in test leaves the public WSDL; the town's agents reach it
        through the testers' endpoint with their credentials (HTTP Basic), and
        its requests are unknown to public tracking."""
        import time
        import requests
        from requests.auth import HTTPBasicAuth
        self.command("service", "enable", "road-incident", "--test", "--tenant", "autreville")
        public_wsdl = f"{BASE_URL}/autreville/soap?wsdl"
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=15)
        while True:
            with urllib.request.urlopen(public_wsdl, timeout=5) as r:
                if b"SubmitRoadIncidentReport" not in r.read():
                    break
            assert datetime.datetime.now() < deadline, "still in the public WSDL"
            time.sleep(0.2)
        test_wsdl = f"{BASE_URL}/autreville/soap/test?wsdl"
        wrong = requests.Session()
        wrong.auth = HTTPBasicAuth("maire", "pas-le-bon-mot-de-passe")
        try:
            zeep.Client(test_wsdl, transport=Transport(session=wrong, timeout=15))
            raise AssertionError("the testers' WSDL opened with a wrong password")
        except requests.exceptions.HTTPError as e:
            eq(e.response.status_code, 401, "status without the right password")
        session = requests.Session()
        session.auth = HTTPBasicAuth("maire", "autreville-2026-mairie")
        client = zeep.Client(test_wsdl, transport=Transport(session=session, timeout=15,
                                                            operation_timeout=15))
        testers = client.bind("Guichet", PORTS["soap11"])
        eq([s.code for s in testers.ListServices()], ["road-incident"], "services for agents")
        receipt = testers.SubmitRoadIncidentReport(
            requester={"firstName": "Agent", "lastName": "Essai", "email": "agent@example.fr"},
            category="lighting",
            location={"street": "2 rue de l'Essai", "postalCode": "59100", "town": "Autreville"},
            description="Essai du téléservice",
            observedOn=datetime.date.today())
        assert "/autreville/backoffice/test/track/" in receipt.trackingUrl, receipt.trackingUrl
        status = testers.GetRequestStatus(trackingCode=receipt.trackingCode)
        eq(status.reference, receipt.reference, "the agents follow their test request")
        try:
            self.service.GetRequestStatus(trackingCode=receipt.trackingCode)
            raise AssertionError("a test request is known to public tracking")
        except zeep.exceptions.Fault as fault:
            assert "unknown-tracking-code" in etree.tostring(fault.detail).decode()
        try:
            self.service.SubmitRoadIncidentReport(
                requester={"firstName": "Anne", "lastName": "Autre"},
                category="pothole",
                location={"street": "1 place de la Mairie", "postalCode": "59100",
                          "town": "Autreville"},
                description="Trou sur la place", observedOn=datetime.date.today())
            raise AssertionError("the public endpoint takes a service in test")
        except zeep.exceptions.Fault as fault:
            assert "unknown-operation" in etree.tostring(fault.detail).decode() \
                or "Opération inconnue" in fault.message, fault.message


def examples_dir():
    """A folder holding the example files the documentation's snippets send."""
    folder = os.path.join(WORK, "examples")
    os.makedirs(folder, exist_ok=True)
    reference = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "reference")
    for name in ("exemple.pdf", "exemple.png"):
        with open(os.path.join(reference, name), "rb") as src, \
                open(os.path.join(folder, name), "wb") as dst:
            dst.write(src.read())
    return folder


def documented_snippet_runs():
    """The zeep call shown on a service's documentation page, run as pasted."""
    url = f"{BASE_URL}/{TENANT}/services/road-incident/doc?format=xml"
    with urllib.request.urlopen(url, timeout=15) as r:
        view = etree.fromstring(r.read())
    snippet = view.find(".//{urn:guichet:view:1}zeep").text
    # The snippet reads its example file beside it, as the page says.
    printed = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True,
                             timeout=60, cwd=examples_dir())
    assert printed.returncode == 0, printed.stderr.strip()
    reference, code = printed.stdout.split()
    assert REFERENCE_RE.match(reference), printed.stdout
    assert TRACKING_RE.match(code), printed.stdout


def every_service_documented_example_is_accepted():
    """Each service of the catalogue, submitted with the zeep call of its
    documentation page (one client for all: the snippets' own
    zeep.Client(WSDL) is the same client), gets a receipt; the same call with
    a required field left out gets a ValidationFault naming it."""
    client = zeep.Client(f"{BASE_URL}/{TENANT}/soap?wsdl")
    codes = [s.code for s in client.service.ListServices()]
    assert len(codes) >= 40, codes
    calls = []

    class Recorder:
        def __getattr__(self, operation):
            def call(**kwargs):
                calls.append((operation, kwargs))
                return getattr(client.service, operation)(**kwargs)
            return call

    class Cached:
        def __init__(self, *args, **kwargs):
            self.service = Recorder()

    os.chdir(examples_dir())
    for code in codes:
        url = f"{BASE_URL}/{TENANT}/services/{code}/doc?format=xml"
        with urllib.request.urlopen(url, timeout=15) as r:
            view = etree.fromstring(r.read())
        snippet = view.find(".//{urn:guichet:view:1}zeep").text
        # A room is booked once per slot: zeep's example a month later.
        snippet = re.sub(r'eventDate="(\d{4}-\d{2}-\d{2})"',
                         lambda m: 'eventDate="%s"' % (datetime.date.fromisoformat(m.group(1))
                                                      + datetime.timedelta(days=30)),
                         snippet)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(snippet.replace("zeep.Client(", "Cached(", 1), {"Cached": Cached})
        operation, kwargs = calls[-1]
        if operation.startswith("Simulate"):
            # A simulation answers its results; a broken one is refused.
            assert "quotient " in printed.getvalue(), f"{code}: {printed.getvalue()}"
            try:
                getattr(client.service, operation)(**{**kwargs, "children": 99})
                raise AssertionError(f"{code}: 99 children accepted")
            except zeep.exceptions.Fault as fault:
                detail = etree.tostring(fault.detail).decode()
                assert "children" in detail and "above-maximum" in detail, f"{code}: {detail}"
            continue
        words = printed.getvalue().split()
        assert len(words) == 2 and REFERENCE_RE.match(words[0]), f"{code}: {printed.getvalue()}"
        if code == "room-booking":
            # The same room, day and times again: the slot is taken.
            try:
                getattr(client.service, operation)(**kwargs)
                raise AssertionError("a room was booked twice for the same slot")
            except zeep.exceptions.Fault as fault:
                detail = etree.tostring(fault.detail).decode()
                assert "slot-taken" in detail and "startTime" in detail, detail
        if code == "elected-official-appointment":
            # The official's slot the example took is no longer free; a time
            # off the agenda's grid is no slot at all.
            for time, error in ((kwargs["wishedTime"], "slot-taken"), ("14:10:00", "slot-not-offered")):
                try:
                    getattr(client.service, operation)(**{**kwargs, "wishedTime": time})
                    raise AssertionError(f"appointment at {time} accepted")
                except zeep.exceptions.Fault as fault:
                    detail = etree.tostring(fault.detail).decode()
                    assert error in detail and "wishedTime" in detail, detail
        # A broken one: the requester's last name empty.
        broken = dict(kwargs)
        broken["requester"] = {**kwargs["requester"], "lastName": ""}
        try:
            getattr(client.service, operation)(**broken)
            raise AssertionError(f"{code}: a request without the last name was accepted")
        except zeep.exceptions.Fault as fault:
            detail = etree.tostring(fault.detail).decode()
            assert "requester/lastName" in detail and "required" in detail, f"{code}: {detail}"


def main():
    check("zeep/documentation-snippet-runs-as-pasted", documented_snippet_runs)
    check("zeep/every-service-submitted-from-its-documentation", every_service_documented_example_is_accepted)
    suites = []
    for version in ("soap11", "soap12"):
        suite = Suite(version)
        suite.run()
        suites.append(suite)
    if suites[0].service is not None:
        TwoTowns(suites[0]).run()
    # The exchange API for business software: zeep_exchange.py, reported here.
    import zeep_exchange
    zeep_exchange.run(check, WORK)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
