#!/usr/bin/env bash
# What the web and interop tests need (cli/tests/jobs/wallets.rs, epcis.rs), installed by the project and cached:
# Debian's chromium (apt, once per machine; never a downloaded browser build) and the node
# packages of tests/web (npm ci from the committed package-lock.json, with npm's cache under
# ~/.cache/caretrail/npm and a stamp so an unchanged lock file installs nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages: chromium for the browser tests, libxml2-utils (xmllint) for validating the
# EPCIS 1.2 XML exports against GS1's XSD.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
if [ -n "$missing" ]; then
  echo "== installing Debian packages:$missing"
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq $missing >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "node is required for the web tests (Debian: apt-get install nodejs npm)" >&2; exit 1; }
want=$(sha256sum tests/web/package-lock.json | cut -d' ' -f1)
stamp=tests/web/node_modules/.caretrail-lock.sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== installing the web tests' node packages (tests/web/package-lock.json)"
  (cd tests/web && npm ci --cache "$HOME/.cache/caretrail/npm" --prefer-offline --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
