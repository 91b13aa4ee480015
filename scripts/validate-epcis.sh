#!/usr/bin/env bash
# Validates EPCIS documents the project writes, with GS1's own schemas from
# ../shared/reference/schemas (or $CARETRAIL_SCHEMAS): EPCIS 1.2 XML against the 1.2 XSD with
# xmllint, EPCIS 2.0 JSON-LD against the EPCIS 2.0 JSON schema (Python jsonschema, formats
# checked); then recomputes every event's CBV 2.0 event hash with GS1's reference
# implementation (epcis-event-hash-generator) and compares it with the document's eventID.
# The Python packages live in a cached virtual environment. usage: scripts/validate-epcis.sh FILE...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
schemas="${CARETRAIL_SCHEMAS:-$here/../../shared/reference/schemas}"
[ -f "$schemas/epcis-1.2/EPCglobal-epcis-1_2.xsd" ] || { echo "GS1's schemas are not at $schemas (set CARETRAIL_SCHEMAS)" >&2; exit 2; }
command -v xmllint >/dev/null 2>&1 || "$here/web-deps.sh" >&2
venv="${XDG_CACHE_HOME:-$HOME/.cache}/caretrail/epcis-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import jsonschema, rfc3339_validator, epcis_event_hash_generator" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "jsonschema==4.26.0" "rfc3339-validator==0.1.4" "epcis-event-hash-generator==1.9.3" >&2
fi
status=0
for f in "$@"; do
  case "$f" in
    *.xml) xmllint --noout --schema "$schemas/epcis-1.2/EPCglobal-epcis-1_2.xsd" "$f" || status=1 ;;
  esac
done
"$venv/bin/python" "$here/validate-epcis.py" "$schemas/EPCIS-2.0-JSON-Schema.json" "$@" || status=1
exit "$status"
