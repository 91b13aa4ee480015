#!/usr/bin/env bash
# caretrail end to end on a real Solana validator:
#   1. installs solana-test-validator 4.2.2 from the crates registry (cached; scripts/install-validator.sh),
#   2. builds the six programs to SBPF v3 .so files (scripts/sbf/build-sbf.sh, cached toolchain),
#   3. starts solana-test-validator on loopback only, its own ledger (--reset), the programs
#      deployed upgradeable at genesis under their program ids with a fresh upgrade authority,
#   4. runs the end-to-end tests (cli/tests/e2e/validator.rs: the `caretrail` binary and the SDK
#      over RPC, and `caretrail serve --url` with the wallets' flow in node and chromium),
#      reads compute units per instruction from the validator's history into
#      docs/BENCHMARKS.md, writes the run's report to docs/E2E.md,
#   5. stops the validator it started (by its PID), whatever happened.
#
#   scripts/e2e-validator.sh
#
# Environment: CARETRAIL_CACHE (default ~/.cache/caretrail), CARGO_TARGET_DIR (default
# $CARETRAIL_CACHE/target), E2E_WORK (default $CARETRAIL_CACHE/e2e: ledger, .so files, keys,
# logs, the stories), E2E_RPC_PORT (default 8899; the faucet uses E2E_FAUCET_PORT, 9900),
# E2E_REPORT=0 to leave docs/ untouched.
# First run on a fresh machine: about 30 min for the validator, 10-15 min for the SBF toolchain
# and builds; later runs a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache="${CARETRAIL_CACHE:-$HOME/.cache/caretrail}"
export CARETRAIL_CACHE="$cache"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
work="${E2E_WORK:-$cache/e2e}"
port="${E2E_RPC_PORT:-8899}"
faucet_port="${E2E_FAUCET_PORT:-9900}"
url="http://127.0.0.1:$port"
report="${E2E_REPORT:-1}"
mkdir -p "$work"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# What is tested (before this run rewrites docs/).
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
t0=$SECONDS
timings=()
log() { echo "e2e: $*" >&2; }
step_done() { timings+=("| $1 | $(($SECONDS - $2)) s |"); }

# ---------------------------------------------------------------------------------------------
log "1/5 solana-test-validator"
s=$SECONDS
validator=$(scripts/install-validator.sh | tail -1)
validator_version=$("$validator" --version)
step_done "install the validator (cached after the first run)" $s

# ---------------------------------------------------------------------------------------------
log "2/5 SBF builds of the six programs"
s=$SECONDS
deploy="$work/deploy"
mkdir -p "$deploy"
for p in registry records consent custody claims trials; do
    SBF_TARGET_DIR="$cache/sbf-target" scripts/sbf/build-sbf.sh "programs/$p" "$deploy" --features sbpf-upstream
done
step_done "SBF toolchain and builds" $s

# ---------------------------------------------------------------------------------------------
log "3/5 caretrail binaries"
s=$SECONDS
cargo build -q -p caretrail-cli -p caretrail-bench
cargo test -q -p caretrail-cli --test cli --no-run
scripts/web-deps.sh   # chromium and the node reference clients for the wallets' flow
caretrail="$CARGO_TARGET_DIR/debug/caretrail"
authority="$work/authority.json"
authority_pubkey=$("$caretrail" --output json keygen --force --outfile "$authority" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["pubkey"])')
step_done "build caretrail and the tests" $s

# ---------------------------------------------------------------------------------------------
log "4/5 starting solana-test-validator on $url"
s=$SECONDS
if curl -s -m 2 "$url" >/dev/null 2>&1; then
    echo "e2e: something already listens on $url; stop it or set E2E_RPC_PORT" >&2
    exit 1
fi
programs=()
for p in registry records consent custody claims trials; do
    id=$(python3 -c 'import re,sys; print(re.search(r"^'"$p"' = \"(\w+)\"", open("Anchor.toml").read(), re.M).group(1))')
    programs+=(--upgradeable-program "$id" "$deploy/$p.so" "$authority_pubkey")
done
ledger_dir="$work/ledger"
rm -rf "$ledger_dir" "$work/run"
"$validator" --ledger "$ledger_dir" --reset --quiet \
    --bind-address 127.0.0.1 --rpc-port "$port" --faucet-port "$faucet_port" \
    "${programs[@]}" >"$work/validator.log" 2>&1 &
validator_pid=$!
stop_validator() {
    if kill -0 "$validator_pid" 2>/dev/null; then
        log "stopping the validator (pid $validator_pid)"
        kill "$validator_pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$validator_pid" 2>/dev/null || break; sleep 1; done
        kill -9 "$validator_pid" 2>/dev/null || true
        wait "$validator_pid" 2>/dev/null || true
    fi
}
trap stop_validator EXIT
trap 'exit 130' INT TERM
healthy=""
for _ in $(seq 1 180); do
    if ! kill -0 "$validator_pid" 2>/dev/null; then
        tail -n 40 "$work/validator.log" "$ledger_dir/validator.log" 2>/dev/null >&2 || true
        echo "e2e: the validator exited before it was ready (logs: $work/validator.log, $ledger_dir/)" >&2
        exit 1
    fi
    if curl -s -m 2 -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' "$url" 2>/dev/null | grep -q '"ok"'; then
        healthy=1
        break
    fi
    sleep 1
done
[[ -n "$healthy" ]] || { echo "e2e: the validator is not healthy after 180 s" >&2; exit 1; }
"$caretrail" --url "$url" --keypair "$authority" airdrop 1000 >/dev/null
step_done "start the validator" $s

# ---------------------------------------------------------------------------------------------
log "5/5 end-to-end tests over RPC"
s=$SECONDS
status=0
CARETRAIL_E2E_URL="$url" CARETRAIL_E2E_AUTHORITY="$authority" CARETRAIL_E2E_WORK="$work/run" \
    cargo test -p caretrail-cli --test cli validator:: -- --ignored --test-threads=1 2>&1 |
    tee "$work/tests.log" || status=$?
step_done "end-to-end tests" $s
results=$(grep -E '^test validator::' "$work/tests.log" | sed -E 's/^test validator::([a-z_0-9]+) \.\.\. (.*)$/| `\1` | \2 |/' || true)
s=$SECONDS
# The insurer's loop (light SDK over RPC) on the RPC demo's parties, against the validator.
if [[ -d "$work/run/rpc-demo" ]]; then
    scripts/payer-loop.sh "$work/run/rpc-demo" "$url" 2>&1 | tee "$work/payer-loop.log" || status=1
    grep -q "valid (005010X221A1)" "$work/payer-loop.log" || status=1
    results+=$'\n'"| \`scripts/payer-loop.sh\` (sdk/examples/payer_loop.rs over RPC: 837 in, 277CA and 835 out, pyx12-valid) | $(grep -q 'valid (005010X221A1)' "$work/payer-loop.log" && echo ok || echo FAILED) |"
fi
step_done "the insurer's loop over RPC" $s

cu_md=""
doc_args=()
[[ "$report" == 1 ]] && doc_args=(--doc docs/BENCHMARKS.md)
if cargo run -q -p caretrail-bench -- --cu-from "$url" --json "$work/cu.json" "${doc_args[@]}" \
    >"$work/cu.md" 2>"$work/cu.log"; then
    cu_md=$(cat "$work/cu.md")
else
    cat "$work/cu.log" >&2
    status=1
fi
stop_validator

verdict=$([[ $status -eq 0 ]] && echo PASS || echo FAIL)
if [[ "$report" == 1 ]]; then
    {
        echo "# End to end on a real Solana validator"
        echo
        echo "Written by \`scripts/e2e-validator.sh\` (do not edit by hand): the last run's date, versions,"
        echo "results and compute units. How to run it and what it covers: README, section \"End to end"
        echo "on a real validator\"."
        echo
        echo "- **Result: $verdict**"
        echo "- Run: $started, $(($SECONDS - t0)) s in all; commit $commit"
        echo "- Validator: \`$validator_version\` (agave, built from the crates registry), loopback only, fresh ledger"
        echo "- Programs: SBPF v3 builds by \`scripts/sbf/build-sbf.sh\` ($(/usr/bin/rustc --version), sbpf-linker 0.2.6, Debian sid $(ls "${SBF_CACHE:-$HOME/.cache/caretrail-sbf}/sid/deb" 2>/dev/null | grep -o '^libllvm23_[^_]*' | head -1)), deployed upgradeable at genesis"
        echo "- Host: $(uname -srm), $(nproc) cores; $(cargo --version)"
        echo
        echo "## Tests"
        echo
        echo "| test (cli/tests/e2e/validator.rs) | result |"
        echo "| --- | --- |"
        echo "$results"
        echo
        echo "## Time"
        echo
        echo "| step | time |"
        echo "| --- | --- |"
        printf '%s\n' "${timings[@]}"
        echo
        echo "## Compute units per instruction"
        echo
        echo "From the validator's transaction history of this run (also in docs/BENCHMARKS.md). SBPF v3"
        echo "upstream-LLVM builds: not comparable with platform-tools numbers."
        echo
        echo "$cu_md" | sed '1{/^### /d}' | sed '1{/^$/d}'
    } >docs/E2E.md
    log "wrote docs/E2E.md"
fi
log "$verdict ($(($SECONDS - t0)) s)"
exit "$status"
