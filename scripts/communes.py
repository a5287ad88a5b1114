#!/usr/bin/env python3
"""Writes reference/communes.tsv, the French communes of the `commune` field
type, from the npm package @etalab/decoupage-administratif (MIT, Etalab,
from INSEE's Code officiel géographique):

    npm pack @etalab/decoupage-administratif@6.0.0
    tar xzf etalab-decoupage-administratif-6.0.0.tgz
    scripts/communes.py package > reference/communes.tsv

Only current communes ("commune-actuelle"), by INSEE code, with their postal
codes."""
import json
import sys

package = sys.argv[1]
meta = json.load(open(f"{package}/package.json"))
communes = json.load(open(f"{package}/data/communes.json"))
rows = sorted(
    (c["code"], c["nom"], ",".join(sorted(set(c.get("codesPostaux", [])))))
    for c in communes
    if c["type"] == "commune-actuelle"
)
print("# French communes by INSEE code: code<TAB>name<TAB>postal codes (comma-separated).")
print(f"# Source: npm {meta['name']} {meta['version']} ({meta.get('license', '?')}, Etalab,")
print("# from INSEE's Code officiel géographique), current communes only;")
print("# written by scripts/communes.py, read by src/core/communes.rs (compiled in).")
for code, name, postal in rows:
    print(f"{code}\t{name}\t{postal}")
