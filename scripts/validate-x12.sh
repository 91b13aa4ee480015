#!/usr/bin/env bash
# Validates X12 5010 interchanges with pyx12's x12valid against the implementation guides
# (005010X222A1 837P, 005010X223A2 837I, 005010X221A1 835, 005010X214 277CA: chosen from each
# file's GS08), pyx12 installed from PyPI into a cached virtual environment on first use.
#   scripts/validate-x12.sh FILE...
# pyx12 4.0 prints its verdict (`FILE: OK`, or `ERROR Line:…` lines), then may crash writing a
# 999 acknowledgement and exit 1 even for a valid file: the verdict and the ERROR lines decide.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/caretrail/x12-venv"
if [ ! -x "$venv/bin/x12valid" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pyx12==4.0.0"
fi
failed=0
for f in "$@"; do
  out=$(cd "$(dirname "$f")" && "$venv/bin/x12valid" "$(basename "$f")" 2>&1 || true)
  # Its own crash while writing the 999 ("Failed to create 999 response") is not a verdict.
  if grep -q "ERROR Line:" <<<"$out" || ! grep -q "^$(basename "$f"): OK" <<<"$out"; then
    echo "$f: INVALID"
    grep -E "ERROR Line:|Failure" <<<"$out" | head -20
    failed=1
  else
    echo "$f: valid ($(sed -n 's/.*\*\(005010X[0-9A-Z]*\)~.*/\1/p' "$f" | head -1))"
  fi
done
exit "$failed"
