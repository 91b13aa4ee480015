#!/usr/bin/env bash
# Installs a real `solana-test-validator` (agave 4.2.2) from the crates registry into a cache
# outside the clone, once; later runs find it and return at once. Prints the binary's path last.
#
#   scripts/install-validator.sh            # -> $CARETRAIL_CACHE/validator-4.2.2/bin/solana-test-validator
#
# Needs Debian's libclang-dev, protobuf-compiler, libudev-dev, pkg-config and libssl-dev (installed
# with apt when missing, with sudo when not root). About 30 minutes on 2 cores the first time.
set -euo pipefail
VERSION=4.2.2
CACHE="${CARETRAIL_CACHE:-$HOME/.cache/caretrail}"
ROOT="$CACHE/validator-$VERSION"
BIN="$ROOT/bin/solana-test-validator"

if [[ -x "$BIN" ]] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
    echo "$BIN"
    exit 0
fi

need=()
for pkg in libclang-dev protobuf-compiler libudev-dev pkg-config libssl-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "installing Debian packages: ${need[*]}" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    mkdir -p "$CACHE/logs"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; } \
        >"$CACHE/logs/validator-apt.log" 2>&1 || {
        tail -30 "$CACHE/logs/validator-apt.log" >&2
        exit 1
    }
fi

mkdir -p "$ROOT" "$CACHE/logs"
echo "building solana-test-validator $VERSION (about 30 minutes the first time; log: $CACHE/logs/validator-install.log)" >&2
# agave 4.2.2's dependency tree declares rust-versions newer than some of its own crates can use;
# the fallback resolver picks versions this toolchain compiles.
CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
CARGO_TARGET_DIR="$CACHE/validator-build" \
    cargo install agave-validator --version "=$VERSION" --bin solana-test-validator \
    --root "$ROOT" >"$CACHE/logs/validator-install.log" 2>&1 || {
    tail -30 "$CACHE/logs/validator-install.log" >&2
    exit 1
}
"$BIN" --version >&2
echo "$BIN"
