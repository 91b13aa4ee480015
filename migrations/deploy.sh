#!/usr/bin/env bash
# Deploys the six caretrail programs to a real cluster and initializes the registry
# (the `anchor migrate` step of this workspace, in shell, with the standard Solana CLI).
#
#   migrations/deploy.sh <cluster-url> <deploy-dir> [multisig-vault]
#
# <deploy-dir> holds <program>.so and <program>-keypair.json for registry, records, consent,
# custody, claims and trials (as `anchor build` leaves them in target/deploy; run `anchor keys sync` first if
# you deploy under your own program ids). The signer of the Solana CLI config pays and becomes
# the upgrade authority and the registry authority; with a multisig vault (e.g. a Squads vault
# PDA), both authorities are handed over to it at the end:
#   - upgrade authority: `solana program set-upgrade-authority --new-upgrade-authority <vault>`
#     (with --skip-new-upgrade-authority-signer-check, the vault being a PDA);
#   - registry authority: `caretrail registry propose-authority <vault>`, then the vault
#     executes `accept_authority` through the multisig.
set -euo pipefail
url=${1:?cluster url}
dir=${2:?deploy dir}
vault=${3:-}
for p in registry records consent custody claims trials; do
  echo "deploying $p"
  solana program deploy --url "$url" --program-id "$dir/$p-keypair.json" "$dir/$p.so"
done
caretrail --url "$url" registry init
if [ -n "$vault" ]; then
  for p in registry records consent custody claims trials; do
    solana program set-upgrade-authority --url "$url" "$(solana address -k "$dir/$p-keypair.json")" \
      --new-upgrade-authority "$vault" --skip-new-upgrade-authority-signer-check
  done
  caretrail --url "$url" registry propose-authority "$vault"
  echo "now execute registry accept_authority from the multisig vault $vault"
fi
