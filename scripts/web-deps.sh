#!/usr/bin/env bash
# What the web tests need (cli/tests/jobs/wallets.rs), installed by the project and cached:
# Debian's chromium (apt, once per machine; never a downloaded browser build) and the node
# packages of tests/web (npm ci from the committed package-lock.json, with npm's cache under
# ~/.cache/caretrail/npm and a stamp so an unchanged lock file installs nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium (headless browser tests)"
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "node is required for the web tests (Debian: apt-get install nodejs npm)" >&2; exit 1; }
want=$(sha256sum tests/web/package-lock.json | cut -d' ' -f1)
stamp=tests/web/node_modules/.caretrail-lock.sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== installing the web tests' node packages (tests/web/package-lock.json)"
  (cd tests/web && npm ci --cache "$HOME/.cache/caretrail/npm" --prefer-offline --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
