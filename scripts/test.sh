#!/usr/bin/env bash
# Runs every test of the workspace: program unit tests, SDK and CLI tests, and the integration
# suite (the four programs natively inside a real Agave bank). This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --workspace "$@"
