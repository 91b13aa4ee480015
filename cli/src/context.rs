//! Global options and what every command needs: the ledger, the signer, the output format.
//! Follows the Solana CLI conventions: `--url` monikers, `--keypair` files (JSON byte arrays),
//! the Solana CLI config file for the default keypair.

use crate::output::OutputFormat;
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
};
use caretrail_sdk::Ledger;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Ledger to use: `embedded` (in-process bank persisted under --ledger), `localhost`,
    /// `devnet`, `testnet`, `mainnet-beta`, or an http(s) RPC URL.
    #[arg(
        short = 'u',
        long,
        global = true,
        default_value = "embedded",
        env = "CARETRAIL_URL"
    )]
    pub url: String,
    /// Directory of the embedded ledger [default: <user data dir>/caretrail/ledger].
    #[arg(long, global = true, env = "CARETRAIL_LEDGER")]
    pub ledger: Option<PathBuf>,
    /// Signer keypair file [default: the Solana CLI config's keypair, else
    /// ~/.config/solana/id.json]. A missing file is an error, unless --create-keypair.
    #[arg(short = 'k', long, global = true, env = "CARETRAIL_KEYPAIR")]
    pub keypair: Option<PathBuf>,
    /// Create the --keypair file when it does not exist (otherwise: `caretrail keygen`).
    #[arg(long, global = true, env = "CARETRAIL_CREATE_KEYPAIR")]
    pub create_keypair: bool,
    /// Create the embedded ledger under --ledger when it does not exist (`registry init` and
    /// `demo` create it anyway; any other command on a missing ledger is an error, so a typo
    /// in --ledger does not start a new ledger).
    #[arg(long, global = true, env = "CARETRAIL_CREATE_LEDGER")]
    pub create: bool,
    /// When another caretrail process is using the embedded ledger, wait for it (up to ten
    /// minutes) instead of failing.
    #[arg(long, global = true)]
    pub wait: bool,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// On a cluster: a priority fee of this many micro-lamports per compute unit on every
    /// transaction (as the Solana CLI's option of the same name).
    #[arg(long, global = true, value_name = "MICROLAMPORTS")]
    pub with_compute_unit_price: Option<u64>,
}

pub struct Context {
    pub args: GlobalArgs,
    ledger: std::cell::OnceCell<std::sync::Arc<dyn Ledger>>,
    /// The command starts a story (`registry init`, `demo`): it may create the ledger.
    pub starts_a_ledger: bool,
}

impl Context {
    pub fn new(args: GlobalArgs) -> Result<Context> {
        check_url(&args.url)?;
        Ok(Context {
            args,
            ledger: std::cell::OnceCell::new(),
            starts_a_ledger: false,
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.args.url == "embedded"
    }

    /// The embedded ledger directory.
    pub fn ledger_dir(&self) -> PathBuf {
        self.args.ledger.clone().unwrap_or_else(default_ledger_dir)
    }

    /// Opens the ledger on first use.
    pub fn ledger(&self) -> Result<&dyn Ledger> {
        Ok(self.shared_ledger_ref()?.as_ref())
    }

    /// The ledger, to share with a server's threads.
    pub fn shared_ledger(&self) -> Result<std::sync::Arc<dyn Ledger>> {
        Ok(self.shared_ledger_ref()?.clone())
    }

    fn shared_ledger_ref(&self) -> Result<&std::sync::Arc<dyn Ledger>> {
        if let Some(l) = self.ledger.get() {
            return Ok(l);
        }
        let l: std::sync::Arc<dyn Ledger> = match self.args.with_compute_unit_price {
            Some(_) if self.is_embedded() => bail!(
                "--with-compute-unit-price sets a priority fee on a cluster; the embedded ledger has no fee market (name one with --url)"
            ),
            Some(price) => std::sync::Arc::new(
                caretrail_sdk::RpcLedger::new(&caretrail_sdk::resolve_cluster_url(&self.args.url))
                    .with_compute_unit_price(price),
            ),
            None if self.is_embedded() => std::sync::Arc::new(self.open_embedded()?),
            None => caretrail_sdk::open_ledger(&self.args.url, &self.ledger_dir())
                .with_context(|| format!("opening ledger {}", self.args.url))?
                .into(),
        };
        Ok(self.ledger.get_or_init(|| l))
    }

    /// The embedded ledger under --ledger: only commands that start a story, or `--create`,
    /// make a new one; with `--wait` a ledger another process holds is waited for.
    fn open_embedded(&self) -> Result<caretrail_sdk::EmbeddedLedger> {
        let dir = self.ledger_dir();
        if !(dir.join("ledger.sqlite").exists() || self.starts_a_ledger || self.args.create) {
            bail!(
                "no caretrail ledger at {}: start one with `caretrail registry init` (or `caretrail demo`), pass --create to start an empty one, or name an existing one with --ledger",
                dir.display()
            );
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
        let mut told = false;
        loop {
            match caretrail_sdk::EmbeddedLedger::open(&dir) {
                Err(caretrail_sdk::Error::Locked { .. })
                    if self.args.wait && std::time::Instant::now() < deadline =>
                {
                    if !told {
                        eprintln!(
                            "waiting for the other caretrail process using {}…",
                            dir.display()
                        );
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(250));
                }
                Err(e @ caretrail_sdk::Error::Locked { .. }) => {
                    return Err(anyhow::Error::new(e).context("pass --wait to wait for it"))
                }
                other => return other.with_context(|| format!("opening ledger {}", dir.display())),
            }
        }
    }

    /// Path of the signer keypair.
    pub fn keypair_path(&self) -> PathBuf {
        self.args
            .keypair
            .clone()
            .unwrap_or_else(default_keypair_path)
    }

    /// The signer: the --keypair file, which must exist (or `--create-keypair`). On the
    /// embedded ledger a wallet short of SOL is topped up from the embedded faucet.
    pub fn signer(&self) -> Result<Keypair> {
        let path = self.keypair_path();
        let keypair = if !path.exists() {
            if !self.args.create_keypair {
                bail!(
                    "no keypair at {}: create one with `caretrail keygen --outfile {}`, name another with --keypair, or pass --create-keypair",
                    path.display(),
                    path.display()
                );
            }
            let k = Keypair::new();
            write_keypair(&k, &path)?;
            eprintln!("created keypair {} ({})", path.display(), k.pubkey());
            k
        } else {
            read_keypair(&path)?
        };
        if self.is_embedded() {
            let ledger = self.ledger()?;
            if ledger.get_balance(&keypair.pubkey())? < LAMPORTS_PER_SOL {
                ledger.request_airdrop(&keypair.pubkey(), 100 * LAMPORTS_PER_SOL)?;
            }
        }
        Ok(keypair)
    }
}

/// `<data dir>/caretrail/ledger`.
pub fn default_ledger_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("caretrail")
        .join("ledger")
}

/// The Solana CLI config's `keypair_path`, else `~/.config/solana/id.json`.
pub fn default_keypair_path() -> PathBuf {
    let home = dirs::home_dir().unwrap_or_else(|| PathBuf::from("."));
    let config = home.join(".config/solana/cli/config.yml");
    if let Ok(text) = std::fs::read_to_string(&config) {
        if let Ok(yaml) = serde_yaml::from_str::<serde_yaml::Value>(&text) {
            if let Some(p) = yaml.get("keypair_path").and_then(|v| v.as_str()) {
                return PathBuf::from(p);
            }
        }
    }
    home.join(".config/solana/id.json")
}

/// Reads a Solana CLI keypair file (a JSON array of 64 bytes).
pub fn read_keypair(path: &Path) -> Result<Keypair> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading keypair {}", path.display()))?;
    let bytes: Vec<u8> = serde_json::from_str(&text)
        .with_context(|| format!("keypair {} is not a JSON byte array", path.display()))?;
    Keypair::try_from(bytes.as_slice())
        .map_err(|e| anyhow::anyhow!("keypair {}: {e}", path.display()))
}

/// Writes a Solana CLI keypair file, readable by its owner only.
pub fn write_keypair(keypair: &Keypair, path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let json = serde_json::to_string(&keypair.to_bytes().to_vec())?;
    // Created owner-only (never world-readable, even for a moment).
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    use std::io::Write as _;
    options
        .open(path)
        .and_then(|mut f| f.write_all(json.as_bytes()))
        .with_context(|| format!("writing keypair {}", path.display()))?;
    Ok(())
}

/// The cluster monikers `--url` knows.
const MONIKERS: [&str; 5] = ["embedded", "localhost", "devnet", "testnet", "mainnet-beta"];

/// `--url`: a moniker (or its one-letter form), or an http(s) URL; a typo names the moniker
/// meant.
fn check_url(url: &str) -> Result<()> {
    if MONIKERS.contains(&url)
        || ["l", "d", "t", "m"].contains(&url)
        || url.starts_with("http://")
        || url.starts_with("https://")
    {
        return Ok(());
    }
    let closest = MONIKERS
        .iter()
        .find(|m| m.starts_with(url) && !url.is_empty())
        .copied()
        .or_else(|| {
            MONIKERS
                .iter()
                .map(|m| (edit_distance(url, m), *m))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, m)| m)
        })
        .map(|m| format!(" (did you mean `{m}`?)"))
        .unwrap_or_default();
    bail!(
        "--url {url:?} is neither a moniker ({}) nor an http(s) URL{closest}",
        MONIKERS.join(", ")
    )
}

/// Levenshtein distance, for typo suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_typo_names_the_moniker_meant() {
        assert!(super::check_url("devnet").is_ok());
        assert!(super::check_url("https://rpc.example").is_ok());
        let e = super::check_url("devent").unwrap_err().to_string();
        assert!(e.contains("did you mean `devnet`"), "{e}");
        let e = super::check_url("mainnet").unwrap_err().to_string();
        assert!(e.contains("`mainnet-beta`"), "{e}");
    }
}
