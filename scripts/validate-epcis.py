"""Checks EPCIS documents: 2.0 JSON-LD against GS1's JSON schema, and every event's eventID
against the CBV 2.0 event hash GS1's reference implementation computes for that document.
usage: validate-epcis.py SCHEMA.json FILE..."""
import json
import re
import sys

import jsonschema
from epcis_event_hash_generator.__main__ import epcis_hash_from_file


def event_ids(path):
    text = open(path, encoding="utf-8").read()
    if path.endswith(".xml"):
        return re.findall(r"<eventID>([^<]+)</eventID>", text)
    doc = json.loads(text)
    return [e.get("eventID") for e in doc["epcisBody"]["eventList"]]


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    failed = False
    for path in sys.argv[2:]:
        if not path.endswith(".xml"):
            doc = json.load(open(path, encoding="utf-8"))
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            for e in errors[:20]:
                print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}")
            if errors:
                failed = True
                continue
            print(f"{path}: valid against the EPCIS 2.0 JSON schema")
        (hashes, _) = epcis_hash_from_file(path, "sha256", "XML" if path.endswith(".xml") else "JSON")
        ids = event_ids(path)
        if hashes != ids:
            failed = True
            for i, (want, got) in enumerate(zip(hashes, ids)):
                if want != got:
                    print(f"{path}: event {i + 1}: eventID {got} but the CBV 2.0 hash is {want}")
            if len(hashes) != len(ids):
                print(f"{path}: {len(ids)} eventIDs for {len(hashes)} events")
        else:
            print(f"{path}: {len(ids)} eventIDs equal their CBV 2.0 event hashes")
    sys.exit(1 if failed else 0)


main()
