#!/usr/bin/env python3
"""A town's business software (or a webmaster's script) talking to Guichet
with zeep: list the teleservices, submit a birth-certificate request, follow
it, and show how a refused submission reports each bad field.

    pip install zeep
    python3 examples/zeep_client.py [http://127.0.0.1:8080]
"""
import sys

import zeep
from zeep.exceptions import Fault

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
NS = "urn:guichet:demoville"

client = zeep.Client(f"{BASE}/demoville/soap?wsdl")
# SOAP 1.1 port; use "TeleservicesSoap12Port" for SOAP 1.2.
guichet = client.bind("Guichet", "TeleservicesSoap11Port")

print("Téléservices en ligne :")
for service in guichet.ListServices():
    print(f"  {service.operation:40} {service.title} ({service.deadlineDays} jours)")

requester = {
    "civility": "Mme",
    "firstName": "Zoé",
    "lastName": "Lefèvre",
    "email": "zoe.lefevre@example.fr",
}
receipt = guichet.SubmitBirthCertificateRequest(
    requester=requester,
    actType="extract-with-filiation",
    requesterRelation="self",
    personLastName="Lefèvre",
    personFirstNames="Zoé Marie",
    birthDate="1990-04-12",
    birthPlace="Démoville",
    copies=1,
    deliveryMode="post",
)
print(f"\nDemande {receipt.reference} enregistrée, réponse au plus tard le {receipt.dueDate}.")
print(f"Code de suivi : {receipt.trackingCode} ({receipt.trackingUrl})")

status = guichet.GetRequestStatus(trackingCode=receipt.trackingCode)
print(f"\nÉtat : {status.stateLabel}")
for step in status.step:
    print(f"  [{'x' if step.done else ' '}] {step.label} {step.date or ''}")

# A refused submission: the fault's detail names every bad field.
try:
    guichet.SubmitBirthCertificateRequest(
        requester=requester, actType="integral", requesterRelation="self",
        personLastName="Lefèvre", personFirstNames="Zoé", birthDate="2990-01-01",
        birthPlace="Démoville", copies=9, deliveryMode="post",
    )
except Fault as fault:
    print(f"\nRefusée : {fault.message}")
    for error in fault.detail.iter(f"{{{NS}}}error"):
        print(f"  {error.findtext(f'{{{NS}}}field')}: {error.findtext(f'{{{NS}}}code')}")
