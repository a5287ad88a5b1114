"""Interoperability tests of the exchange API (/demoville/exchange) with Python zeep.

Run by zeep_test.py (same environment, same PASS/FAIL lines): `run(check, work)`.

Business software's round, as zeep does it with `zeep.wsse.username.UsernameToken(...,
use_digest=True)`: an exchange account made with `guichet api-account add`, the backlog
acknowledged, two road incidents submitted on the citizen-facing service, listed in pages of
one, their files fetched and validated against the served XSD, acknowledged, one moved
qualify -> schedule -> fixed revision by revision while the citizen's status follows, its
history naming the software; then the faults: stale revision, wrong password, replayed token.
"""
import datetime
import os
import secrets
import subprocess
import urllib.request

import zeep
import zeep.exceptions
from lxml import etree
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

TENANT = "demoville"
TNS = "urn:guichet:demoville"
XNS = "urn:guichet:demoville:exchange"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DIGEST = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
          "#PasswordDigest")
ENV_NS = {
    "soap11": "http://schemas.xmlsoap.org/soap/envelope/",
    "soap12": "http://www.w3.org/2003/05/soap-envelope",
}
CITIZEN_PORTS = {"soap11": "TeleservicesSoap11Port", "soap12": "TeleservicesSoap12Port"}
PORTS = {"soap11": "ExchangeSoap11Port", "soap12": "ExchangeSoap12Port"}
CLIENT_FAULT = {"soap11": "Client", "soap12": "Sender"}

LOGIN = "zeep-voirie"
ACCOUNT_NAME = "Logiciel voirie — Démoville (zeep)"
PASSWORD = "zeep-voirie-2026-mot-de-passe"
# Non-ASCII and XML-special text: in the request file, then in the citizen's status.
DESCRIPTION = "Nid-de-poule (> 10 cm) & <dangereux> — côté « pair »"
MESSAGE = "Intervention prévue lundi : équipe « B » & <camion 3>"

BASE_URL = os.environ["GUICHET_URL"].rstrip("/")
BIN = os.environ["GUICHET_BIN"]
DATA_DIR = os.environ["GUICHET_DATA_DIR"]
WSDL = f"{BASE_URL}/{TENANT}/exchange?wsdl"
CITIZEN_WSDL = f"{BASE_URL}/{TENANT}/soap?wsdl"
XSD = f"{BASE_URL}/{TENANT}/xsd/road-incident.xsd"


def eq(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def add_account():
    """`guichet api-account add` while the server runs: the account the tests call as."""
    env = dict(os.environ, GUICHET_API_PASSWORD=PASSWORD, GUICHET_LOG="error")
    done = subprocess.run([BIN, "api-account", "add", LOGIN, "--name", ACCOUNT_NAME,
                           "--role", "voirie:handler", "--data-dir", DATA_DIR],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"api-account add: {done.stderr.strip()}"
    listed = subprocess.run([BIN, "api-account", "list", "--data-dir", DATA_DIR],
                            env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and LOGIN in listed.stdout, f"api-account list: {listed.stdout!r}"


class Exchange:
    """One zeep client of the exchange WSDL, on one port, with one WS-Security token."""

    def __init__(self, version, wsse):
        self.history = HistoryPlugin()
        self.client = zeep.Client(WSDL, wsse=wsse, plugins=[self.history],
                                  transport=Transport(timeout=15, operation_timeout=15))
        self.service = self.client.bind("GuichetExchange", PORTS[version])
        self.version = version

    def fault(self, call):
        """Call, expect a zeep Fault, check its code; the ValidationFault's [(field, code)]."""
        try:
            call()
        except zeep.exceptions.Fault as fault:
            # zeep gives the code as the raw prefixed text: resolve it against the envelope.
            envelope = self.history.last_received["envelope"]
            code_el = envelope.find(".//{*}Fault/faultcode")
            if code_el is None:
                code_el = envelope.find(
                    f".//{{{ENV_NS['soap12']}}}Code/{{{ENV_NS['soap12']}}}Value")
            assert code_el is not None, "no fault code in the response"
            eq(code_el.text.strip(), fault.code, "zeep fault code vs envelope")
            prefix, _, local = fault.code.rpartition(":")
            eq((code_el.nsmap.get(prefix or None), local),
               (ENV_NS[self.version], CLIENT_FAULT[self.version]), "fault code {namespace, local}")
            assert fault.message, "empty fault string/reason"
            assert fault.detail is not None and len(fault.detail), "fault without detail"
            element = self.client.get_element(f"{{{XNS}}}ValidationFault")
            detail = element.parse(fault.detail[0], self.client.wsdl.types)
            assert all(e.code and e.message for e in detail.error), f"incomplete error {detail}"
            return [(e.field, e.code) for e in detail.error]
        raise AssertionError("no fault raised")


class ExchangeSuite:
    def __init__(self, version, check, work):
        self.version = version
        self.check = check
        self.work = work
        self.prefix = f"zeep/{version}"
        self.exchange = None
        self.citizen = None
        self.receipts = []  # the two road incidents, in submission order
        self.revisions = {}  # reference -> revision of its GetRequestFile
        self.last_change = None

    def run(self):
        p = self.prefix
        self.check(f"{p}/exchange-load-wsdl-and-catch-up", self.load_and_catch_up)
        if self.exchange is None:
            return
        self.check(f"{p}/exchange-submit-two-road-incidents", self.submit)
        if len(self.receipts) != 2:
            return
        self.check(f"{p}/exchange-list-new-requests-in-pages", self.list_in_pages)
        self.check(f"{p}/exchange-get-request-file-valid-against-xsd", self.request_files)
        self.check(f"{p}/exchange-acknowledge-requests", self.acknowledge)
        self.check(f"{p}/exchange-update-status-to-fixed", self.update_to_fixed)
        self.check(f"{p}/exchange-citizen-sees-incident-repaired", self.citizen_sees_fixed)
        self.check(f"{p}/exchange-history-names-the-software", self.history)
        self.check(f"{p}/exchange-fault-stale-revision", self.stale_revision)
        self.check(f"{p}/exchange-fault-wrong-password", self.wrong_password)
        self.check(f"{p}/exchange-fault-replayed-token", self.replayed_token)

    def token(self, password=PASSWORD, **fixed):
        return UsernameToken(LOGIN, password, use_digest=True, **fixed)

    # 1. the WSDL, the token, and a clean slate: what earlier tests filed is acknowledged
    def load_and_catch_up(self):
        exchange = Exchange(self.version, self.token())
        service = exchange.service
        while True:
            page = service.ListNewRequests(limit=500)
            refs = [r.reference for r in page.request]
            if not refs:
                break
            eq(service.AcknowledgeRequests(reference=refs), len(refs), "acknowledged backlog")
        sent = exchange.history.last_sent["envelope"]
        eq(sent.nsmap.get(sent.prefix), ENV_NS[self.version], "envelope namespace sent")
        password = sent.find(f"{{{ENV_NS[self.version]}}}Header/{{{WSSE}}}Security/"
                             f"{{{WSSE}}}UsernameToken/{{{WSSE}}}Password")
        assert password is not None, "no wsse:Security/UsernameToken/Password in the header"
        eq(password.get("Type"), DIGEST, "Password Type")
        eq(page.request, [], "requests after the backlog")
        eq(page.more, False, "more")
        eq(page.cursor, None, "cursor of an empty page")
        self.citizen = zeep.Client(CITIZEN_WSDL, transport=Transport(timeout=15)).bind(
            "Guichet", CITIZEN_PORTS[self.version])
        self.exchange = exchange

    # 2. the round trip
    def submit(self):
        for i in (1, 2):
            receipt = self.citizen.SubmitRoadIncidentReport(
                requester={"firstName": "Zoé", "lastName": f"Échange-{self.version}-{i}",
                           "email": "zoe@example.fr"},
                category="pothole",
                location={"street": f"{i} rue de l'Église", "postalCode": "59000",
                          "town": "Démoville"},
                description=f"{DESCRIPTION} n° {i}",
                observedOn=datetime.date.today())
            self.receipts.append(receipt)

    def list_in_pages(self):
        service = self.exchange.service
        first, second = self.receipts
        page = service.ListNewRequests(limit=1)
        eq([r.reference for r in page.request], [first.reference], "first page")
        eq(page.more, True, "more after the first page")
        assert page.cursor, f"cursor {page.cursor!r}"
        summary = page.request[0]
        eq((summary.service, summary.department, summary.step),
           ("road-incident", "voirie", "received"), "service, department, step")
        eq(summary.submittedAt, first.submittedAt, "submittedAt")
        eq(summary.dueDate, first.dueDate, "dueDate")
        assert summary.serviceVersion >= 1 and summary.revision >= 0, f"summary {summary}"
        page = service.ListNewRequests(after=page.cursor, limit=1)
        eq([r.reference for r in page.request], [second.reference], "second page")
        eq(page.more, False, "more after the second page")

    def request_files(self):
        xsd = os.path.join(self.work, "zeep-exchange-road-incident.xsd")
        if not os.path.exists(xsd):
            urllib.request.urlretrieve(XSD, xsd)
        for i, receipt in enumerate(self.receipts, 1):
            request = self.exchange.service.GetRequestFile(reference=receipt.reference)
            eq((request.reference, request.service, request.department), (
                receipt.reference, "road-incident", "voirie"), "reference, service, department")
            eq((request.step, request.stepLabel, request.finished, request.waitingForRequester),
               ("received", "Signalement reçu", False, False), "step")
            eq(request.schema, XSD, "schema")
            assert "qualify" in [a.id for a in request.action], f"actions {request.action}"
            # xs:base64Binary: zeep hands over the decoded bytes.
            assert isinstance(request.file, bytes), f"file is a {type(request.file)}"
            path = os.path.join(self.work, f"zeep-exchange-{receipt.reference}.xml")
            with open(path, "wb") as f:
                f.write(request.file)
            lint = subprocess.run(["xmllint", "--noout", "--schema", xsd, path],
                                  capture_output=True, timeout=30)
            assert lint.returncode == 0, f"xmllint: {lint.stderr.decode().strip()!r}"
            root = etree.fromstring(request.file)
            eq(root.findtext(f"{{{TNS}}}reference"), receipt.reference, "file reference")
            eq(root.findtext(f"{{{TNS}}}description"), f"{DESCRIPTION} n° {i}",
               "file description")
            self.revisions[receipt.reference] = request.revision

    def acknowledge(self):
        service = self.exchange.service
        refs = [r.reference for r in self.receipts]
        eq(service.AcknowledgeRequests(reference=refs), 2, "acknowledged")
        page = service.ListNewRequests()
        eq([r.reference for r in page.request], [], "still listed")
        eq(page.more, False, "more")
        # Twice is no error: none was still new.
        eq(service.AcknowledgeRequests(reference=refs), 0, "acknowledged again")

    def update_to_fixed(self):
        service = self.exchange.service
        first = self.receipts[0]
        revision = self.revisions.get(first.reference)
        assert revision is not None, "no revision from GetRequestFile"
        steps = [("qualify", None, "qualified", "Signalement examiné"),
                 ("schedule", MESSAGE, "scheduled", "Intervention planifiée"),
                 ("fixed", None, "fixed", "Incident réparé")]
        for action, message, step, label in steps:
            change = service.UpdateRequestStatus(reference=first.reference, action=action,
                                                 messageToCitizen=message, revision=revision)
            eq((change.reference, change.step, change.finished),
               (first.reference, step, step == "fixed"), f"change after {action}")
            assert change.revision > revision, f"revision {change.revision} after {revision}"
            revision = change.revision
            eq(self.citizen.GetRequestStatus(trackingCode=first.trackingCode).currentStep, label,
               f"citizen's current step after {action}")
        self.last_change = change

    def citizen_sees_fixed(self):
        status = self.citizen.GetRequestStatus(trackingCode=self.receipts[0].trackingCode)
        eq(status.currentStep, "Incident réparé", "currentStep")
        eq([(s.label, s.done) for s in status.step],
           [("Signalement reçu", True), ("Signalement examiné", True),
            ("Intervention planifiée", True), ("Incident réparé", True)], "steps")
        eq([(m["from"], m.text) for m in status.message], [("town", MESSAGE)], "messages")

    def history(self):
        assert self.last_change is not None, "the request was not moved to its end"
        answer = self.exchange.service.GetRequestHistory(reference=self.receipts[0].reference)
        events = answer.event
        eq([e.action for e in events], ["submitted", "qualify", "schedule", "answer", "fixed"],
           "actions")
        eq(events[0].actor, "citizen:soap", "submitter")
        for e in events[1:]:
            eq((e.actor, e.actorName), (f"api:{LOGIN}", ACCOUNT_NAME), f"actor of {e.action}")
        eq([(e.fromStep, e.toStep) for e in events[1:]],
           [("received", "qualified"), ("qualified", "scheduled"), ("scheduled", None),
            ("scheduled", "fixed")], "steps")
        eq(events[3].comment, MESSAGE, "the message's comment")
        eq(answer.revision, self.last_change.revision, "revision")

    # 3. a decision on a revision that is gone
    def stale_revision(self):
        service = self.exchange.service
        second = self.receipts[1]
        old = self.revisions.get(second.reference)
        assert old is not None, "no revision from GetRequestFile"
        change = service.UpdateRequestStatus(reference=second.reference, action="qualify",
                                             revision=old)
        errors = self.exchange.fault(lambda: service.UpdateRequestStatus(
            reference=second.reference, action="schedule", revision=old))
        eq(errors, [("revision", "stale-revision")], "errors")
        now = service.GetRequestFile(reference=second.reference)
        eq((now.step, now.revision), ("qualified", change.revision), "nothing applied")

    # 4. security
    def wrong_password(self):
        wrong = Exchange(self.version, self.token("pas-le-bon-mot-de-passe-du-tout"))
        errors = wrong.fault(lambda: wrong.service.ListNewRequests())
        eq(errors, [(None, "failed-authentication")], "errors")

    def replayed_token(self):
        # The same header twice: zeep's UsernameToken with a fixed nonce and creation time.
        fixed = self.token(nonce=secrets.token_hex(16),
                           created=datetime.datetime.now(datetime.timezone.utc))
        replay = Exchange(self.version, fixed)
        eq(replay.service.ListNewRequests().more, False, "first use of the token")
        first = etree.tostring(replay.history.last_sent["envelope"].find(f".//{{{WSSE}}}Security"))
        errors = replay.fault(lambda: replay.service.ListNewRequests())
        again = etree.tostring(replay.history.last_sent["envelope"].find(f".//{{{WSSE}}}Security"))
        eq(again, first, "the header sent twice")
        eq(errors, [(None, "security-token-replayed")], "errors")


def run(check, work):
    """The exchange tests of zeep, each reported through `check` (zeep_test's)."""
    added = []
    check("zeep/exchange-account-added-while-serving", lambda: added.append(add_account()))
    if not added:
        return
    for version in ("soap11", "soap12"):
        ExchangeSuite(version, check, work).run()
