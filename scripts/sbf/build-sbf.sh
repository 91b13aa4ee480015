#!/usr/bin/env bash
# build-sbf.sh <program-crate-dir> <out-dir> [extra cargo build args...]
#
# Builds a Solana (Anchor) program crate to an SBPF v3 .so on Debian 12 without Solana platform-tools:
#   Debian rustc-web/cargo-web 1.96 (frontend, emits LLVM bitcode for a custom bpfel-solana target, build-std)
#   + sbpf-linker 0.2.6 running on Debian sid's libLLVM 23 (LTO + codegen + SBPF v3 link).
# All tooling is set up idempotently in $SBF_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/caretrail-sbf).
# Output: <out-dir>/<lib_name>.so.  See README.md next to this script.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SBF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/caretrail-sbf}
# The sid mirror defaults to the Debian archive this machine's apt already uses.
default_mirror() {
  local u
  u=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
  [ -n "$u" ] || u=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
  echo "$u"
}
SID_MIRROR=${SBF_SID_MIRROR:-$(default_mirror)}
[ -n "$SID_MIRROR" ] || { echo "build-sbf: cannot find a Debian mirror in apt's sources; set SBF_SID_MIRROR" >&2; exit 1; }
SBPF_LINKER_VERSION=0.2.6
SCB_VERSION=0.3.0                        # solana-compiler-builtins version we vendor + patch
DEB_PKGS=(rustc-web cargo-web rust-web-src patch)
RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
RUST_SRC=/usr/lib/rustlib/src/rust/library

log() { echo "build-sbf: $*" >&2; }
die() { echo "build-sbf: ERROR: $*" >&2; exit 1; }
# run <logname> <what> cmd...: run quietly, log to $CACHE/logs/<logname>.log, show its tail on failure
run() {
  local name=$1 what=$2; shift 2
  local lf="$CACHE/logs/$name.log" s=$SECONDS
  log "$what ..."
  if ! "$@" >"$lf" 2>&1; then
    tail -n 40 "$lf" >&2
    die "$what failed (full log: $lf)"
  fi
  log "$what: done in $((SECONDS - s))s"
}
sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

[ $# -ge 2 ] || die "usage: $0 <program-crate-dir> <out-dir> [extra cargo build args...]"
CRATE_DIR=$(cd "$1" 2>/dev/null && pwd) || die "program crate dir '$1' not found"
[ -f "$CRATE_DIR/Cargo.toml" ] || die "$CRATE_DIR/Cargo.toml not found"
mkdir -p "$2" || die "cannot create out-dir '$2'"
OUT_DIR=$(cd "$2" && pwd)
shift 2
EXTRA_ARGS=("$@")
T0=$SECONDS

mkdir -p "$CACHE/logs" || die "cannot create cache dir $CACHE"
CACHE=$(cd "$CACHE" && pwd)
command -v python3 >/dev/null || die "python3 is required (std patch scripts)"
command -v flock >/dev/null || die "'flock' is required (util-linux)"
exec 9>"$CACHE/.lock"
flock 9   # one set-up/build at a time per cache

# ---------------------------------------------------------------------------------------------------
# 1. Debian 12 packages: rustc-web cargo-web rust-web-src (Rust 1.96, bookworm-security)
missing=()
for p in "${DEB_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  run apt-install "apt-get install ${missing[*]}" \
    sh -c "$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q ${missing[*]}"
fi
for f in "$RUSTC" "$CARGO"; do [ -x "$f" ] || die "$f missing (package rustc-web/cargo-web)"; done
command -v patch >/dev/null || die "'patch' is required (package patch)"
[ -d "$RUST_SRC/std" ] || die "$RUST_SRC missing (package rust-web-src)"
RUSTC_VV=$("$RUSTC" -vV) || die "$RUSTC -vV failed"
case "$(echo "$RUSTC_VV" | sed -n 's/^release: //p')" in
  1.9[6-9]*|1.[1-9][0-9][0-9]*) ;;
  *) die "need rustc >= 1.96 at $RUSTC (got: $(echo "$RUSTC_VV" | head -1))" ;;
esac

# ---------------------------------------------------------------------------------------------------
# 2. libLLVM 23 + runtime deps (incl. glibc) from Debian sid, unpacked privately (never installed into /)
SID=$CACHE/sid
SIDLIB=$SID/root/usr/lib/x86_64-linux-gnu
if [ ! -f "$SID/.done" ]; then
  rm -rf "$SID"; mkdir -p "$SID"/apt/{lists/partial,cache/archives/partial,etc/preferences.d} "$SID/deb" "$SID/root"
  echo "deb $SID_MIRROR sid main" >"$SID/apt/etc/sources.list"
  cat >"$SID/apt/apt.conf" <<EOF
Dir::Etc::sourcelist "$SID/apt/etc/sources.list";
Dir::Etc::sourceparts "/nonexistent";
Dir::Etc::preferences "/nonexistent";
Dir::Etc::preferencesparts "$SID/apt/etc/preferences.d";
Dir::State::Lists "$SID/apt/lists";
Dir::State::status "/dev/null";
Dir::Cache "$SID/apt/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
EOF
  export APT_CONFIG=$SID/apt/apt.conf
  run sid-apt-update "apt-get update (private sid lists)" apt-get -q update
  # dependency closure of libllvm23 (Depends/PreDepends only) in sid
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances libllvm23 >"$CACHE/logs/sid-closure.txt" 2>&1 || { cat "$CACHE/logs/sid-closure.txt" >&2; die "apt-cache depends libllvm23 (sid) failed"; }
  mapfile -t SIDPKGS < <(grep -E '^[a-z0-9]' "$CACHE/logs/sid-closure.txt" | sort -u)
  [ ${#SIDPKGS[@]} -gt 3 ] || die "could not resolve libllvm23 in sid (see $CACHE/logs/sid-closure.txt)"
  run sid-apt-download "apt-get download libllvm23 + ${#SIDPKGS[@]} sid packages" \
    sh -c 'cd "$0" && apt-get -q download "$@"' "$SID/deb" "${SIDPKGS[@]}"
  unset APT_CONFIG
  for d in "$SID"/deb/*.deb; do dpkg -x "$d" "$SID/root" || die "dpkg -x $d failed"; done
  ls "$SID/deb" >"$SID/versions.txt"
  touch "$SID/.done"
fi
LIBLLVM=$(ls "$SIDLIB"/libLLVM.so.23* 2>/dev/null | head -1)
[ -n "$LIBLLVM" ] && [ -x "$SIDLIB/ld-linux-x86-64.so.2" ] || die "sid libLLVM 23 / ld.so not found under $SIDLIB (rm -rf $SID to retry)"
mkdir -p "$CACHE/llvmlib"
ln -sfn "$LIBLLVM" "$CACHE/llvmlib/$(basename "$LIBLLVM")"

# ---------------------------------------------------------------------------------------------------
# 3. sbpf-linker 0.2.6 (dlopens libLLVM at run time; no LLVM needed to build it)
LINKER_BIN=$CACHE/tools/bin/sbpf-linker
if [ ! -x "$LINKER_BIN" ] || ! grep -q "sbpf-linker $SBPF_LINKER_VERSION" "$CACHE/tools/.crates.toml" 2>/dev/null; then
  run sbpf-linker-install "cargo install sbpf-linker =$SBPF_LINKER_VERSION" \
    env RUSTC="$RUSTC" RUSTFLAGS= "$CARGO" install sbpf-linker --version "=$SBPF_LINKER_VERSION" --locked --force \
      --root "$CACHE/tools" --target-dir "$CACHE/build/sbpf-linker"
  rm -rf "$CACHE/build/sbpf-linker"
fi

# write_if_changed <file> <mode>: stdin -> file, keeping mtime when content is unchanged
write_if_changed() {
  local tmp; tmp=$(mktemp "$1.XXXX")
  cat >"$tmp"; chmod "$2" "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}
mkdir -p "$CACHE/bin"
# bookworm-built sbpf-linker runs on sid's glibc/libstdc++ (via sid's ld.so) so it can dlopen sid's libLLVM 23
write_if_changed "$CACHE/bin/sbpf-linker" 755 <<EOF
#!/bin/sh
# generated by build-sbf.sh (caretrail-sbf)
[ -n "\${SBPF_LINKER_LOG:-}" ] && echo "sbpf-linker \$*" >> "\$SBPF_LINKER_LOG"
LD_LIBRARY_PATH="$CACHE/llvmlib" exec "$SIDLIB/ld-linux-x86-64.so.2" --library-path "$SIDLIB" "$LINKER_BIN" "\$@"
EOF
"$CACHE/bin/sbpf-linker" --version >"$CACHE/logs/sbpf-linker-version.log" 2>&1 \
  || { cat "$CACHE/logs/sbpf-linker-version.log" >&2; die "sbpf-linker does not run under sid's ld.so"; }

# custom target: bpf arch, os=solana, bitcode objects, sbpf-linker as linker
TARGET_JSON=$CACHE/bpfel-solana.json
write_if_changed "$TARGET_JSON" 644 <<EOF
{
  "arch": "bpf",
  "atomic-cas": true,
  "crt-objects-fallback": "false",
  "data-layout": "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128",
  "dynamic-linking": true,
  "linker": "$CACHE/bin/sbpf-linker",
  "linker-flavor": "bpf",
  "linker-is-gnu": false,
  "llvm-target": "bpfel",
  "max-atomic-width": 64,
  "merge-functions": "disabled",
  "metadata": { "description": "BPF (little endian), os=solana, for sbpf-linker", "host_tools": false, "std": true, "tier": 3 },
  "min-atomic-width": 8,
  "no-builtins": true,
  "obj-is-bitcode": true,
  "os": "solana",
  "vendor": "solana",
  "panic-strategy": "abort",
  "position-independent-executables": true,
  "singlethread": true,
  "target-pointer-width": 64
}
EOF

# ---------------------------------------------------------------------------------------------------
# 4. std sources for os=solana: Debian rust-web-src + patch_std.py + patch_std_v3.py
SRC_KEY=$( (echo "$RUSTC_VV"; cat "$HERE/patch_std.py" "$HERE/patch_std_v3.py") | sha256sum | cut -c1-16)
STD_ROOT=$CACHE/rustsrc/$SRC_KEY
if [ ! -f "$STD_ROOT/.done" ]; then
  rm -rf "$STD_ROOT"; mkdir -p "$STD_ROOT/rust"
  cp -a "$RUST_SRC" "$STD_ROOT/rust/library" || die "copying $RUST_SRC failed"
  run patch-std "patching std sources ($SRC_KEY)" sh -c \
    'python3 "$0/patch_std.py" "$1" && python3 "$0/patch_std_v3.py" "$1"' "$HERE" "$STD_ROOT/rust"
  touch "$STD_ROOT/.done"
fi

# ---------------------------------------------------------------------------------------------------
# 5. patched solana-compiler-builtins (i128 libcalls with LLVM 23's return convention), vendored in the cache
SCB_KEY=$(sha "$HERE/solana-compiler-builtins-$SCB_VERSION.patch")
SCB_DIR=$CACHE/vendor/solana-compiler-builtins-$SCB_VERSION-$SCB_KEY
if [ ! -f "$SCB_DIR/.done" ]; then
  F=$CACHE/build/fetch-scb; rm -rf "$F" "$SCB_DIR"; mkdir -p "$F/src" "$CACHE/vendor"
  printf '[package]\nname = "fetch-scb"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nsolana-compiler-builtins = "=%s"\n' \
    "$SCB_VERSION" >"$F/Cargo.toml"
  : >"$F/src/lib.rs"
  run fetch-scb "fetching solana-compiler-builtins $SCB_VERSION" \
    env RUSTC="$RUSTC" "$CARGO" vendor --manifest-path "$F/Cargo.toml" --versioned-dirs "$F/vendor"
  cp -a "$F/vendor/solana-compiler-builtins-$SCB_VERSION" "$SCB_DIR"
  rm -f "$SCB_DIR/.cargo-checksum.json"
  run patch-scb "patching solana-compiler-builtins" patch -p1 -d "$SCB_DIR" -i "$HERE/solana-compiler-builtins-$SCB_VERSION.patch"
  touch "$SCB_DIR/.done"
fi

# ---------------------------------------------------------------------------------------------------
# 6. identify the crate and build it
META=$(cd "$CRATE_DIR" && "$CARGO" metadata --no-deps --format-version 1 2>"$CACHE/logs/metadata.log") \
  || { cat "$CACHE/logs/metadata.log" >&2; die "cargo metadata failed in $CRATE_DIR"; }
read -r PKG LIB WS_ROOT < <(echo "$META" | python3 -c '
import json, os, sys
m = json.load(sys.stdin); want = os.path.realpath(sys.argv[1])
for p in m["packages"]:
    if os.path.realpath(p["manifest_path"]) == want:
        libs = [t for t in p["targets"] if "cdylib" in t["crate_types"]]
        if not libs: sys.exit("package %s has no cdylib target (add crate-type = [\"cdylib\", \"lib\"])" % p["name"])
        print(p["name"], libs[0]["name"].replace("-", "_"), m["workspace_root"]); break
else: sys.exit("no package with manifest " + want)
' "$CRATE_DIR/Cargo.toml") || die "could not identify the program crate in $CRATE_DIR"

# SBF_TARGET_DIR (caretrail addition): one target dir for several crates of one workspace, so
# std and the shared dependencies build once.
TGT=${SBF_TARGET_DIR:-$CACHE/targets/$PKG-$(echo "$CRATE_DIR" | sha256sum | cut -c1-8)}
mkdir -p "$TGT"
# Private lockfile: the program's Cargo.lock is never modified (the [patch] would rewrite it).
if [ -f "$WS_ROOT/Cargo.lock" ] && ! cmp -s "$WS_ROOT/Cargo.lock" "$TGT/Cargo.lock.orig"; then
  cp "$WS_ROOT/Cargo.lock" "$TGT/Cargo.lock.orig"; cp "$WS_ROOT/Cargo.lock" "$TGT/Cargo.lock"
fi

LA="-C link-arg=--llvm-args"
BUILD_LOG=$CACHE/logs/build-$PKG.log
log "building $PKG (lib $LIB) -> $OUT_DIR/$LIB.so (target dir $TGT)"
s=$SECONDS
set +e
(
  cd "$CRATE_DIR"
  unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER CARGO_BUILD_TARGET RUSTUP_TOOLCHAIN
  export PATH=/usr/bin:$PATH RUSTC=$RUSTC RUSTC_BOOTSTRAP=1 RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1
  export __CARGO_TESTS_ONLY_SRC_ROOT=$STD_ROOT/rust/library
  export CARGO_TARGET_BPFEL_SOLANA_RUSTFLAGS="-C panic=abort -C relocation-model=static -Zunstable-options \
-C panic=immediate-abort -C passes=lower-atomic -C target-cpu=v4 -C link-arg=--arch=v3 -C link-arg=--deploy=false \
$LA=--bpf-stack-size=4096 $LA=--disable-movsx $LA=--disable-ldsx $LA=--disable-gotox $LA=--disable-bswap"
  "$CARGO" build -Zbuild-std=std,panic_abort -Zjson-target-spec -Zlockfile-path --release \
    --config "resolver.lockfile-path=\"$TGT/Cargo.lock\"" \
    --config "patch.crates-io.solana-compiler-builtins.path=\"$SCB_DIR\"" \
    --manifest-path "$CRATE_DIR/Cargo.toml" -p "$PKG" \
    --target "$TARGET_JSON" --target-dir "$TGT" ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}
) 2>&1 | tee "$BUILD_LOG" | grep -E --line-buffered '^(error|\s+Finished)|^\s+Compiling '"$PKG"' ' >&2
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
  grep -E -A12 '^error' "$BUILD_LOG" | tail -n 60 >&2 || tail -n 40 "$BUILD_LOG" >&2
  die "cargo build of $PKG failed (rc=$rc, full log: $BUILD_LOG)"
fi
# (cargo also warns "patch ... not used" for build-std's own graph; the lockfile tells whether the program used it)
if python3 -c 'import sys; sys.exit(0 if any(b.startswith("name = \"solana-compiler-builtins\"") and "\nsource = " in b
    for b in open(sys.argv[1]).read().split("[[package]]\n")) else 1)' "$TGT/Cargo.lock"; then
  log "WARNING: solana-compiler-builtins is in the graph but the patched $SCB_VERSION was not used; i128 libcalls may be wrong"
fi
SO=$TGT/bpfel-solana/release/lib$LIB.so
[ -f "$SO" ] || die "build finished but $SO is missing (is the lib a cdylib?)"
EFLAGS=$(python3 -c 'import sys,struct; d=open(sys.argv[1],"rb").read(64); print(struct.unpack_from("<H",d,18)[0], struct.unpack_from("<I",d,48)[0])' "$SO")
case "$EFLAGS" in "247 3"|"263 3") ;; *) false ;; esac || die "$SO is not an SBPF v3 ELF (e_machine e_flags = $EFLAGS)"
cp -f "$SO" "$OUT_DIR/$LIB.so"
log "OK: $OUT_DIR/$LIB.so ($(stat -c %s "$OUT_DIR/$LIB.so") bytes, SBPF v3); build $((SECONDS - s))s, total $((SECONDS - T0))s"
