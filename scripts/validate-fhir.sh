#!/usr/bin/env bash
# Validates FHIR R4 resources with the fhir.resources R4 models (installed from PyPI into a
# cached virtual environment on first use). usage: scripts/validate-fhir.sh FILE...
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/caretrail/fhir-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import fhir.resources" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "fhir.resources==6.5.0" "pydantic<2"
fi
exec "$venv/bin/python" "$(dirname "$0")/validate-fhir.py" "$@"
