//! `caretrail token …`: what an insurer needs of SPL Token and Token-2022 to run its claims on
//! a fresh ledger without another tool: a mint, token accounts, minting, transfers, balances.
//! Amounts are the mint's base units; the output also shows them with the mint's decimals.

use crate::args::{self, KeypairFile, TokenProgram};
use crate::command::Execute;
use crate::context::{write_keypair, Context};
use crate::output::Output;
use anyhow::{bail, Result};
use caretrail_sdk::solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use caretrail_sdk::tokens;
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a mint whose mint authority is the --keypair.
    CreateMint(CreateMint),
    /// Create the associated token account of a wallet for a mint (nothing when it exists).
    CreateAccount(CreateAccount),
    /// Mint base units to a token account (the --keypair is the mint authority).
    MintTo(MintTo),
    /// Transfer base units from the --keypair's token account.
    Transfer(Transfer),
    /// The balance of a token account, or of a wallet's associated account for a mint.
    Balance(Balance),
}

impl Execute for TokenCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            TokenCommand::CreateMint(c) => c.execute(ctx),
            TokenCommand::CreateAccount(c) => c.execute(ctx),
            TokenCommand::MintTo(c) => c.execute(ctx),
            TokenCommand::Transfer(c) => c.execute(ctx),
            TokenCommand::Balance(c) => c.execute(ctx),
        }
    }
}

/// `N base units (X.YZ)`.
fn amount(n: u64, mint: &tokens::MintInfo) -> String {
    format!(
        "{n} base units ({} at {} decimals)",
        tokens::ui_amount(n, mint.decimals),
        mint.decimals
    )
}

#[derive(Args, Debug)]
pub struct CreateMint {
    /// Decimals of the mint (e.g. 2 for cents of a currency).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=9))]
    pub decimals: u8,
    /// The token program.
    #[arg(long, value_enum, default_value_t)]
    pub token_program: TokenProgram,
    /// Keypair file of the new mint [default: a fresh key, written to --outfile].
    #[arg(long, value_parser = args::keypair, conflicts_with = "outfile")]
    pub mint_keypair: Option<KeypairFile>,
    /// Where to write the fresh mint key (owner-only).
    #[arg(long)]
    pub outfile: Option<std::path::PathBuf>,
}

impl Execute for CreateMint {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let fresh;
        let mint: &Keypair = match &self.mint_keypair {
            Some(k) => k,
            None => {
                fresh = Keypair::new();
                if let Some(path) = &self.outfile {
                    if path.exists() {
                        bail!(
                            "{} already exists; refusing to overwrite a key",
                            path.display()
                        );
                    }
                    write_keypair(&fresh, path)?;
                }
                &fresh
            }
        };
        let program = self.token_program.id();
        tokens::create_mint(
            ledger,
            &signer,
            mint,
            &program,
            &signer.pubkey(),
            self.decimals,
        )?;
        Ok(Output::new(
            json!({
                "mint": mint.pubkey().to_string(),
                "token_program": program.to_string(),
                "decimals": self.decimals,
                "mint_authority": signer.pubkey().to_string(),
            }),
            format!(
                "mint {} ({:?}, {} decimals), mint authority {}",
                mint.pubkey(),
                self.token_program,
                self.decimals,
                signer.pubkey()
            ),
        ))
    }
}

#[derive(Args, Debug)]
pub struct CreateAccount {
    /// The mint.
    #[arg(long, value_parser = args::pubkey)]
    pub mint: Pubkey,
    /// The wallet that owns the account [default: the --keypair].
    #[arg(long, value_parser = args::pubkey)]
    pub owner: Option<Pubkey>,
}

impl Execute for CreateAccount {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let mint = tokens::fetch_mint(ledger, &self.mint)?;
        let owner = self.owner.unwrap_or(signer.pubkey());
        let address =
            tokens::create_ata(ledger, &signer, &owner, &mint.address, &mint.token_program)?;
        Ok(Output::new(
            json!({ "account": address.to_string(), "owner": owner.to_string(), "mint": mint.address.to_string() }),
            format!(
                "token account {address} of {owner} for mint {}",
                mint.address
            ),
        ))
    }
}

/// A token account: named, or a wallet's associated account for the mint.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Destination {
    /// The token account.
    #[arg(long, value_parser = args::pubkey)]
    pub to: Option<Pubkey>,
    /// A wallet: its associated token account for the mint (created when missing).
    #[arg(long, value_parser = args::pubkey)]
    pub to_owner: Option<Pubkey>,
}

impl Destination {
    fn resolve(&self, ctx: &Context, signer: &Keypair, mint: &tokens::MintInfo) -> Result<Pubkey> {
        Ok(match (self.to, self.to_owner) {
            (Some(account), _) => account,
            (None, Some(owner)) => tokens::create_ata(
                ctx.ledger()?,
                signer,
                &owner,
                &mint.address,
                &mint.token_program,
            )?,
            (None, None) => unreachable!("clap requires --to or --to-owner"),
        })
    }
}

#[derive(Args, Debug)]
pub struct MintTo {
    /// The mint.
    #[arg(long, value_parser = args::pubkey)]
    pub mint: Pubkey,
    #[command(flatten)]
    pub to: Destination,
    /// Base units to mint.
    pub amount: u64,
}

impl Execute for MintTo {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let mint = tokens::fetch_mint(ledger, &self.mint)?;
        if mint.mint_authority != Some(signer.pubkey()) {
            bail!(
                "the --keypair {} is not the mint authority of {} ({})",
                signer.pubkey(),
                mint.address,
                mint.mint_authority
                    .map_or("none: the supply is fixed".to_string(), |a| a.to_string())
            );
        }
        let to = self.to.resolve(ctx, &signer, &mint)?;
        let out = tokens::mint_to(
            ledger,
            &signer,
            &mint.token_program,
            &mint.address,
            &to,
            &signer,
            self.amount,
        )?;
        let balance = tokens::balance(ledger, &to)?;
        Ok(Output::tx(
            format!(
                "minted {} to {to}; balance {}",
                amount(self.amount, &mint),
                amount(balance, &mint)
            ),
            &out,
            json!({ "account": to.to_string(), "amount": self.amount, "balance": balance, "decimals": mint.decimals }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Transfer {
    /// The mint.
    #[arg(long, value_parser = args::pubkey)]
    pub mint: Pubkey,
    /// The --keypair's token account it leaves [default: its associated account].
    #[arg(long, value_parser = args::pubkey)]
    pub from: Option<Pubkey>,
    #[command(flatten)]
    pub to: Destination,
    /// Base units to move.
    pub amount: u64,
}

impl Execute for Transfer {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let mint = tokens::fetch_mint(ledger, &self.mint)?;
        let from = self.from.unwrap_or_else(|| {
            tokens::associated_address(&signer.pubkey(), &mint.address, &mint.token_program)
        });
        let held = tokens::fetch_token_account(ledger, &from)?;
        if held.amount < self.amount {
            bail!(
                "{from} holds {}, less than the {} to transfer",
                amount(held.amount, &mint),
                amount(self.amount, &mint)
            );
        }
        let to = self.to.resolve(ctx, &signer, &mint)?;
        let out = tokens::transfer(ledger, &signer, &mint, &from, &to, &signer, self.amount)?;
        Ok(Output::tx(
            format!(
                "transferred {} from {from} to {to}",
                amount(self.amount, &mint)
            ),
            &out,
            json!({ "from": from.to_string(), "to": to.to_string(), "amount": self.amount, "decimals": mint.decimals }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Balance {
    /// A token account, or with --mint a wallet whose associated account is meant.
    #[arg(value_parser = args::pubkey)]
    pub address: Option<Pubkey>,
    /// The mint (with a wallet, or alone for the --keypair's own account).
    #[arg(long, value_parser = args::pubkey)]
    pub mint: Option<Pubkey>,
}

impl Execute for Balance {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let account = match (self.address, self.mint) {
            (Some(a), None) => a,
            (owner, Some(m)) => {
                let mint = tokens::fetch_mint(ledger, &m)?;
                let owner = match owner {
                    Some(o) => o,
                    None => ctx.signer()?.pubkey(),
                };
                tokens::associated_address(&owner, &mint.address, &mint.token_program)
            }
            (None, None) => bail!("name a token account, or a --mint"),
        };
        let info = tokens::fetch_token_account(ledger, &account)?;
        let mint = tokens::fetch_mint(ledger, &info.mint)?;
        Ok(Output::new(
            json!({
                "account": account.to_string(),
                "mint": info.mint.to_string(),
                "owner": info.owner.to_string(),
                "amount": info.amount,
                "decimals": mint.decimals,
                "ui_amount": tokens::ui_amount(info.amount, mint.decimals),
            }),
            format!(
                "{account} (owner {}, mint {}): {}",
                info.owner,
                info.mint,
                amount(info.amount, &mint)
            ),
        ))
    }
}
