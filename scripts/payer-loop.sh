#!/usr/bin/env bash
# The insurer's loop (sdk/examples/payer_loop.rs) on a demo's parties, over JSON-RPC: the
# demo's pharmacy submits the project's three-claim 837 to the demo's payer, then the payer's
# loop adjudicates (approve up to $20.00, deny above with CARC 119), pays, and writes the 277CA
# and the 835, which pyx12 validates against the 5010 guides.
#   scripts/payer-loop.sh DEMO_DIR [RPC_URL]
# Without RPC_URL it serves the demo's embedded ledger with `caretrail serve` (loopback, a free
# port) for the time of the run. Needs the caretrail binary built (CARGO_TARGET_DIR/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
demo=$1
url=${2:-}
target="${CARGO_TARGET_DIR:-target}"
caretrail="$target/debug/caretrail"
work="$demo/payer-loop"
rm -rf "$work" && mkdir -p "$work"
served=""
stop() { [[ -n "$served" ]] && kill -INT "$served" 2>/dev/null && wait "$served" 2>/dev/null || true; }
trap stop EXIT
if [[ -z "$url" ]]; then
    CARETRAIL_LEDGER="$demo/ledger" "$caretrail" serve --bind 127.0.0.1:0 --quiet >"$work/serve.out" 2>"$work/serve.log" &
    served=$!
    for _ in $(seq 1 100); do
        url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -1 || true)
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    [[ -n "$url" ]] || { echo "payer-loop: caretrail serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
fi
wallet() { python3 -c 'import json,sys; print([p["wallet"] for p in json.load(open(sys.argv[1]))["parties"] if p["name"] == sys.argv[2]][0])' "$demo/story.json" "$1"; }
payer=$(wallet payer)
pharmacy=$(wallet pharmacy)
claim=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["claims"]["claim"])' "$demo/story.json")
coverage=$("$caretrail" --url "$url" -o json claims show "$claim" | python3 -c 'import json,sys; print(json.load(sys.stdin)["coverage"])')
printf 'member_id,coverage\nMBR0001,%s\nMBR0003,%s\n' "$coverage" "$coverage" >"$work/provider-members.csv"
printf 'member_id,last_name,first_name\nMBR0001,DOE,JANE\nMBR0003,ROE,RICHARD\n' >"$work/payer-members.csv"
cat >"$work/parties.json" <<JSON
{"payer_id": "CARETRAILPAYER", "payer_name": "DEMO PAYER", "payer_tax_id": "123456789",
 "payer_street": "1 PAYER PLAZA", "payer_city": "SPRINGFIELD", "payer_state": "IL",
 "payer_zip": "627010000", "payer_phone": "5555550300", "payee_id": "CARETRAILPHARM",
 "payee_name": "DEMO PHARMACY", "payee_npi": "1234567893"}
JSON
claims=tests/fixtures/x12/837p-multi.x12
"$caretrail" --url "$url" --keypair "$demo/keys/pharmacy.json" claims submit --payer "$payer" \
    --x12 "$claims" --members "$work/provider-members.csv"
cargo run -q -p caretrail-sdk --example payer_loop -- --url "$url" --keypair "$demo/keys/payer.json" \
    --provider "$pharmacy" --received "$claims" --members "$work/payer-members.csv" \
    --parties "$work/parties.json" --approve-up-to 2000 --out-dir "$work/out" --once | tee "$work/report.json"
scripts/validate-x12.sh "$work"/out/*.277 "$work"/out/*.835
