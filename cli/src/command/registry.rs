//! `caretrail registry …`: thin over `caretrail_sdk::registry`.

use crate::args::{self, ParticipantStatus};
use crate::command::Execute;
use crate::context::Context;
use crate::output::{table, Output};
use anyhow::{anyhow, bail, Context as _, Result};
use caretrail_sdk::registry::{
    self as reg, ParticipantQuery, ParticipantView, RegisterParticipantArgs, RegistryClient,
    RegistryView, UpdateParticipantArgs,
};
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Create the registry; the --keypair wallet becomes its authority (on a cluster it must be
    /// the program's upgrade authority).
    Init(Init),
    /// Show the registry config (authority, pending handover, counters).
    Show(Show),
    /// Register a wallet as a participant.
    Register(Register),
    /// Change a participant's roles, GLN, credential or validity.
    Update(Update),
    /// Suspend a participant (reversible).
    Suspend(Suspend),
    /// Reinstate a suspended participant.
    Reinstate(Reinstate),
    /// Revoke a participant for good.
    Revoke(Revoke),
    /// Step 1 of an authority handover: propose a new authority (e.g. a multisig vault).
    ProposeAuthority(ProposeAuthority),
    /// Step 2 of an authority handover: the --keypair wallet (the proposed one) accepts.
    AcceptAuthority(AcceptAuthority),
    /// Show one participant.
    Participant(ShowParticipant),
    /// List participants, filtered by status, role or GLN.
    List(List),
    /// GS1 Company Prefixes licensed to participants: custody accepts a lot only under a GTIN,
    /// and a case or pallet only under an SSCC, whose prefix the signer holds.
    #[command(subcommand)]
    Prefix(PrefixCommand),
    /// Verify that a wallet holds an active, unexpired credential for a role.
    Check(Check),
}

impl Execute for RegistryCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            RegistryCommand::Init(c) => c.execute(ctx),
            RegistryCommand::Show(c) => c.execute(ctx),
            RegistryCommand::Register(c) => c.execute(ctx),
            RegistryCommand::Update(c) => c.execute(ctx),
            RegistryCommand::Suspend(c) => c.execute(ctx),
            RegistryCommand::Reinstate(c) => c.execute(ctx),
            RegistryCommand::Revoke(c) => c.execute(ctx),
            RegistryCommand::ProposeAuthority(c) => c.execute(ctx),
            RegistryCommand::AcceptAuthority(c) => c.execute(ctx),
            RegistryCommand::Participant(c) => c.execute(ctx),
            RegistryCommand::List(c) => c.execute(ctx),
            RegistryCommand::Prefix(c) => c.execute(ctx),
            RegistryCommand::Check(c) => c.execute(ctx),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum PrefixCommand {
    /// License a GS1 Company Prefix (4 to 12 digits) to a registered participant (registry
    /// authority).
    Assign(PrefixAssign),
    /// Take a prefix back (registry authority); units already on chain under it stay.
    Revoke(PrefixRevoke),
    /// List licensed prefixes, optionally of one holder.
    List(PrefixList),
    /// Who holds the company prefix of a GTIN (14 digits) or SSCC (18 digits).
    Show(PrefixShow),
}

impl Execute for PrefixCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            PrefixCommand::Assign(c) => c.execute(ctx),
            PrefixCommand::Revoke(c) => c.execute(ctx),
            PrefixCommand::List(c) => c.execute(ctx),
            PrefixCommand::Show(c) => c.execute(ctx),
        }
    }
}

/// A participant wallet (pubkey or keypair file).
#[derive(Args, Debug)]
pub struct WalletArg {
    /// Participant wallet (pubkey or keypair file).
    #[arg(value_parser = args::pubkey)]
    pub wallet: Pubkey,
}

#[derive(Args, Debug)]
pub struct Init {}

impl Execute for Init {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let out = RegistryClient::new(ctx.ledger()?, &signer).initialize(&signer)?;
        let registry = reg::config_pda().0;
        Ok(Output::tx(
            format!(
                "registry {registry} initialized; authority {}",
                signer.pubkey()
            ),
            &out,
            json!({ "registry": registry.to_string(), "authority": signer.pubkey().to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Show {}

impl Execute for Show {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let c = reg::fetch_config(ctx.ledger()?)?.ok_or_else(|| {
            anyhow!("the registry is not initialized (run `caretrail registry init`)")
        })?;
        let v = RegistryView::new(&c);
        let human = format!(
            "registry {}\nauthority: {}\npending authority: {}\nparticipants: {} ({} revoked)",
            v.address,
            v.authority,
            v.pending_authority.as_deref().unwrap_or("none"),
            v.participant_count,
            v.revoked_count
        );
        Ok(Output::new(serde_json::to_value(v)?, human))
    }
}

/// The credential a commitment is made of.
#[derive(Args, Debug, Clone)]
#[group(multiple = false)]
pub struct CredentialArgs {
    /// File holding the credential document (licence, DEA/NPI record…). Only
    /// sha256(salt ‖ file) goes on chain; the random salt is printed for the holder to keep.
    #[arg(long)]
    pub credential_file: Option<std::path::PathBuf>,
    /// A precomputed 32-byte commitment, hex.
    #[arg(long, value_parser = args::hex32)]
    pub credential_commitment: Option<[u8; 32]>,
}

/// A credential commitment, and the salt when this command made it.
type Commitment = ([u8; 32], Option<[u8; 32]>);

impl CredentialArgs {
    fn resolve(&self) -> Result<Option<Commitment>> {
        if let Some(path) = &self.credential_file {
            let doc = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let salt = caretrail_sdk::hash::random_salt();
            return Ok(Some((caretrail_sdk::hash::commit(&salt, &doc), Some(salt))));
        }
        Ok(self.credential_commitment.map(|c| (c, None)))
    }
}

#[derive(Args, Debug)]
pub struct Register {
    /// Wallet to register (pubkey or keypair file).
    #[arg(value_parser = args::pubkey)]
    pub wallet: Pubkey,
    /// Roles, comma-separated: manufacturer, repackager, distributor, dispenser, logistics,
    /// provider, researcher, payer, regulator.
    #[arg(long, value_parser = args::roles)]
    pub roles: u16,
    /// GS1 GLN of the participant (13 digits, check digit verified).
    #[arg(long, value_parser = args::gln)]
    pub gln: [u8; 13],
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// Credential validity in days from now.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(i64).range(1..=36_500))]
    pub valid_days: i64,
}

impl Execute for Register {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let (commitment, salt) = self
            .credential
            .resolve()?
            .ok_or_else(|| anyhow!("give --credential-file or --credential-commitment"))?;
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let now = ledger.get_clock()?.unix_timestamp;
        let wallet = self.wallet;
        let args = RegisterParticipantArgs {
            wallet,
            roles: self.roles,
            gln: self.gln,
            credential_commitment: commitment,
            valid_until: now + self.valid_days * 86_400,
        };
        let out = RegistryClient::new(ledger, &signer).register(&signer, args)?;
        let mut human = format!(
            "registered {wallet} as {}",
            reg::role_names(self.roles).join(",")
        );
        if let Some(s) = salt {
            human.push_str(&format!(
                "\ncredential salt (give it to the participant; it is not stored anywhere): {}",
                caretrail_sdk::util::hex(&s)
            ));
        }
        Ok(Output::tx(
            human,
            &out,
            json!({
                "participant": reg::participant_pda(&wallet).0.to_string(),
                "wallet": wallet.to_string(),
                "credential_commitment": caretrail_sdk::util::hex(&commitment),
                "credential_salt": salt.map(|s| caretrail_sdk::util::hex(&s)),
            }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Update {
    /// Participant wallet (pubkey or keypair file).
    #[arg(value_parser = args::pubkey)]
    pub wallet: Pubkey,
    /// The participant's roles from now on (comma-separated).
    #[arg(long, value_parser = args::roles)]
    pub roles: Option<u16>,
    /// The participant's GLN from now on.
    #[arg(long, value_parser = args::gln)]
    pub gln: Option<[u8; 13]>,
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// New validity in days from now.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=36_500))]
    pub valid_days: Option<i64>,
}

impl Execute for Update {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let now = ledger.get_clock()?.unix_timestamp;
        let credential = self.credential.resolve()?;
        let args = UpdateParticipantArgs {
            roles: self.roles,
            gln: self.gln,
            credential_commitment: credential.map(|(c, _)| c),
            valid_until: self.valid_days.map(|d| now + d * 86_400),
        };
        let wallet = self.wallet;
        let out = RegistryClient::new(ledger, &signer).update(&signer, &wallet, args)?;
        let salt = credential
            .and_then(|(_, s)| s)
            .map(|s| caretrail_sdk::util::hex(&s));
        Ok(Output::tx(
            format!("updated {wallet}"),
            &out,
            json!({ "wallet": wallet.to_string(), "credential_salt": salt }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Suspend {
    #[command(flatten)]
    pub participant: WalletArg,
    /// Reason code recorded on chain (no free text on chain).
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

impl Execute for Suspend {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let wallet = self.participant.wallet;
        let out =
            RegistryClient::new(ctx.ledger()?, &signer).suspend(&signer, &wallet, self.reason)?;
        Ok(Output::tx(
            format!("suspended {wallet} (reason {})", self.reason),
            &out,
            json!({ "wallet": wallet.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Reinstate {
    #[command(flatten)]
    pub participant: WalletArg,
}

impl Execute for Reinstate {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let wallet = self.participant.wallet;
        let out = RegistryClient::new(ctx.ledger()?, &signer).reinstate(&signer, &wallet)?;
        Ok(Output::tx(
            format!("reinstated {wallet}"),
            &out,
            json!({ "wallet": wallet.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Revoke {
    #[command(flatten)]
    pub participant: WalletArg,
    /// Reason code recorded on chain.
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

impl Execute for Revoke {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let wallet = self.participant.wallet;
        let out =
            RegistryClient::new(ctx.ledger()?, &signer).revoke(&signer, &wallet, self.reason)?;
        Ok(Output::tx(
            format!("revoked {wallet} (reason {})", self.reason),
            &out,
            json!({ "wallet": wallet.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct ProposeAuthority {
    /// The new authority (pubkey or keypair file); `11111111111111111111111111111111` cancels.
    #[arg(value_parser = args::pubkey)]
    pub new_authority: Pubkey,
}

impl Execute for ProposeAuthority {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let new_authority = self.new_authority;
        let out = RegistryClient::new(ctx.ledger()?, &signer)
            .propose_authority(&signer, &new_authority)?;
        Ok(Output::tx(
            format!("proposed {new_authority} as registry authority; it must run `caretrail registry accept-authority`"),
            &out,
            json!({ "pending_authority": new_authority.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct AcceptAuthority {}

impl Execute for AcceptAuthority {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let out = RegistryClient::new(ctx.ledger()?, &signer).accept_authority(&signer)?;
        Ok(Output::tx(
            format!("{} is now the registry authority", signer.pubkey()),
            &out,
            json!({ "authority": signer.pubkey().to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct ShowParticipant {
    #[command(flatten)]
    pub participant: WalletArg,
}

impl Execute for ShowParticipant {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let wallet = self.participant.wallet;
        let p = reg::fetch_participant(ctx.ledger()?, &wallet)?
            .ok_or_else(|| anyhow!("{wallet} is not registered"))?;
        let v = ParticipantView::new(&reg::participant_pda(&wallet).0, &p);
        let human = format!(
            "participant {}\nwallet: {}\nstatus: {}\nroles: {}\nGLN: {}\ncredential commitment: {}\nvalid until: {}",
            v.address,
            v.wallet,
            v.status,
            v.roles.join(", "),
            v.gln,
            v.credential_commitment,
            v.valid_until
        );
        Ok(Output::new(serde_json::to_value(v)?, human))
    }
}

#[derive(Args, Debug)]
pub struct List {
    /// Keep participants in this status.
    #[arg(long, value_enum)]
    pub status: Option<ParticipantStatus>,
    /// Keep participants holding any of these roles (comma-separated).
    #[arg(long, value_parser = args::roles)]
    pub role: Option<u16>,
    /// Keep the participant at this GLN.
    #[arg(long, value_parser = args::gln)]
    pub gln: Option<[u8; 13]>,
}

impl Execute for List {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let query = ParticipantQuery {
            status: self.status.map(Into::into),
            any_role: self.role,
            gln: self.gln,
        };
        let views: Vec<ParticipantView> = reg::list_participants(ctx.ledger()?, &query)?
            .iter()
            .map(|(k, p)| ParticipantView::new(k, p))
            .collect();
        Output::list(
            &views,
            &["wallet", "status", "roles", "gln", "valid_until"],
            |v| {
                vec![
                    v.wallet.clone(),
                    v.status.to_string(),
                    v.roles.join(","),
                    v.gln.clone(),
                    v.valid_until.clone(),
                ]
            },
        )
    }
}

#[derive(Args, Debug)]
pub struct Check {
    /// Wallet (pubkey or keypair file).
    #[arg(value_parser = args::pubkey)]
    pub wallet: Pubkey,
    /// Roles (comma-separated); any of them passes.
    #[arg(long, value_parser = args::roles)]
    pub role: u16,
}

impl Execute for Check {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let wallet = self.wallet;
        let check = reg::check_role(ctx.ledger()?, &wallet, self.role)?;
        let human = match &check.reason {
            None => format!(
                "{wallet}: OK, holds an active credential for {}",
                check.role.join(" or ")
            ),
            Some(r) => format!(
                "{wallet}: NOT authorized for {}: {r}",
                check.role.join(" or ")
            ),
        };
        let denied = !check.ok;
        Ok(Output::new(serde_json::to_value(check)?, human).alert(denied))
    }
}

fn prefix_json(address: &Pubkey, p: &reg::CompanyPrefix) -> serde_json::Value {
    json!({
        "address": address.to_string(),
        "prefix": reg::prefix_string(&p.prefix),
        "holder": p.holder.to_string(),
        "assigned_by": p.assigned_by.to_string(),
        "assigned_at": caretrail_sdk::util::rfc3339(p.assigned_at),
    })
}

/// A GS1 Company Prefix (4 to 12 digits).
fn prefix(s: &str) -> Result<String, String> {
    reg::parse_prefix(s)
        .map(|p| reg::prefix_string(&p))
        .map_err(|e| e.to_string())
}

#[derive(Args, Debug)]
pub struct PrefixAssign {
    /// The company prefix, e.g. 0614141.
    #[arg(value_parser = prefix)]
    pub prefix: String,
    /// The participant wallet that holds it (pubkey or keypair file).
    #[arg(long, value_parser = args::pubkey)]
    pub holder: Pubkey,
}

impl Execute for PrefixAssign {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let (prefix, holder) = (self.prefix, self.holder);
        let out =
            RegistryClient::new(ctx.ledger()?, &signer).assign_prefix(&signer, &prefix, &holder)?;
        let address = reg::prefix_pda(&reg::parse_prefix(&prefix)?).0;
        Ok(Output::tx(
            format!("GS1 company prefix {prefix} licensed to {holder}"),
            &out,
            json!({ "prefix": prefix, "holder": holder.to_string(), "address": address.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct PrefixRevoke {
    /// The company prefix.
    #[arg(value_parser = prefix)]
    pub prefix: String,
}

impl Execute for PrefixRevoke {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let out =
            RegistryClient::new(ctx.ledger()?, &signer).revoke_prefix(&signer, &self.prefix)?;
        Ok(Output::tx(
            format!("GS1 company prefix {} taken back", self.prefix),
            &out,
            json!({ "prefix": self.prefix }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct PrefixList {
    /// Only the prefixes of this wallet.
    #[arg(long, value_parser = args::pubkey)]
    pub holder: Option<Pubkey>,
}

impl Execute for PrefixList {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let all = reg::list_prefixes(ctx.ledger()?, self.holder.as_ref())?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|(_, p)| vec![reg::prefix_string(&p.prefix), p.holder.to_string()])
            .collect();
        let json: Vec<_> = all.iter().map(|(k, p)| prefix_json(k, p)).collect();
        Ok(Output::new(
            json!(json),
            table(&["prefix", "holder"], &rows),
        ))
    }
}

#[derive(Args, Debug)]
pub struct PrefixShow {
    /// A GTIN-14 or SSCC-18.
    pub code: String,
}

impl Execute for PrefixShow {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let digits = self.code.trim();
        if !matches!(digits.len(), 14 | 18) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            bail!("give a GTIN-14 or an SSCC-18 (digits only), got {digits:?}");
        }
        Ok(match reg::find_prefix(ctx.ledger()?, digits.as_bytes())? {
            Some((k, p)) => Output::new(
                prefix_json(&k, &p),
                format!(
                    "{digits}: company prefix {} held by {}",
                    reg::prefix_string(&p.prefix),
                    p.holder
                ),
            ),
            None => Output::new(
                json!({ "code": digits, "prefix": null }),
                format!("{digits}: nobody in the registry holds its company prefix"),
            ),
        })
    }
}
