#!/usr/bin/env bash
# Runs every test of the workspace: program unit tests, SDK and CLI tests, and the integration
# suite (the six programs natively inside a real Agave bank), the HTTP server's tests, and the
# wallet tests (node reference clients, headless chromium). This is the README's test command.
# The last line sums up every test binary's result.
set -euo pipefail
cd "$(dirname "$0")/.."
# The web tests' browser and node packages (cached; installs nothing when they are current).
scripts/web-deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '; [0-9]+ failed' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
echo
echo "tests: $passed passed, $failed failed"
exit "$status"
