//! Developer tasks.
//!
//! - `cargo run -p xtask -- idl`: regenerates `idls/<program>.json` for the six programs on
//!   the host (Anchor's `idl-build` feature; no Solana toolchain needed).
//! - `cargo run -p xtask -- idl --check`: fails when a committed IDL differs from a fresh one
//!   (CI runs it).
//!
//! The IDL build compiles each program's tests with `--features idl-build` in its own target
//! directory (`target/idl`), so it never invalidates the everyday build.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

const PROGRAMS: [&str; 6] = [
    "registry", "records", "consent", "custody", "claims", "trials",
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("idl") => idl(args.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo run -p xtask -- idl [--check]");
            std::process::exit(2);
        }
    }
}

/// The workspace being worked on: the nearest ancestor of the current directory with an
/// `Anchor.toml`. Not the compile-time manifest path: a binary in a shared target directory may
/// have been built from another checkout of the same workspace (CI's clean clones share one).
fn root() -> PathBuf {
    let cwd = std::env::current_dir().expect("current directory");
    cwd.ancestors()
        .find(|d| d.join("Anchor.toml").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("workspace root")
                .to_path_buf()
        })
}

fn idl(check: bool) -> Result<()> {
    // A rustup-set toolchain would make the IDL builder run `cargo +<toolchain>` and try to
    // install it; use the ambient one.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let root = root();
    let target_dir = std::env::var("CARETRAIL_IDL_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            std::env::var("CARGO_TARGET_DIR")
                .map(|t| PathBuf::from(t).join("idl"))
                .unwrap_or_else(|_| root.join("target").join("idl"))
        });
    let mut stale = Vec::new();
    for program in PROGRAMS {
        eprintln!("building the IDL of {program}…");
        let idl = anchor_lang_idl::build::IdlBuilder::new()
            .program_path(root.join("programs").join(program))
            .cargo_args(vec![
                "--target-dir".into(),
                target_dir.display().to_string(),
            ])
            .build()
            .with_context(|| format!("building the IDL of {program}"))?;
        let json = serde_json::to_string_pretty(&idl)? + "\n";
        let path = root.join("idls").join(format!("{program}.json"));
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if check {
            if current != json {
                stale.push(path.display().to_string());
            }
        } else if current != json {
            std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        } else {
            eprintln!("{} is current", path.display());
        }
    }
    if !stale.is_empty() {
        bail!(
            "stale IDLs (run `cargo run -p xtask -- idl` and commit): {}",
            stale.join(", ")
        );
    }
    if check {
        eprintln!("all IDLs are current");
    }
    Ok(())
}
