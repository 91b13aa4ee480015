//! `caretrail registry …`: thin over `caretrail_sdk::registry`.

use crate::context::{parse_pubkey, Context};
use crate::output::{table, Output};
use anyhow::{anyhow, bail, Context as _, Result};
use caretrail_sdk::registry::{
    self as reg, ParticipantQuery, ParticipantStatus, ParticipantView, RegisterParticipantArgs,
    RegistryClient, RegistryView, UpdateParticipantArgs,
};
use caretrail_sdk::solana_sdk::signature::Signer;
use caretrail_sdk::TxOutcome;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Create the registry; the --keypair wallet becomes its authority (on a cluster it must be
    /// the program's upgrade authority).
    Init,
    /// Show the registry config (authority, pending handover, counters).
    Show,
    /// Register a wallet as a participant.
    Register(RegisterArgs),
    /// Change a participant's roles, GLN, credential or validity.
    Update(UpdateArgs),
    /// Suspend a participant (reversible).
    Suspend {
        /// Participant wallet (pubkey or keypair file).
        wallet: String,
        /// Reason code recorded on chain (no free text on chain).
        #[arg(long, default_value_t = 1)]
        reason: u16,
    },
    /// Reinstate a suspended participant.
    Reinstate {
        /// Participant wallet (pubkey or keypair file).
        wallet: String,
    },
    /// Revoke a participant for good.
    Revoke {
        /// Participant wallet (pubkey or keypair file).
        wallet: String,
        /// Reason code recorded on chain.
        #[arg(long, default_value_t = 1)]
        reason: u16,
    },
    /// Step 1 of an authority handover: propose a new authority (e.g. a multisig vault).
    ProposeAuthority {
        /// The new authority (pubkey or keypair file); `11111111111111111111111111111111` cancels.
        new_authority: String,
    },
    /// Step 2 of an authority handover: the --keypair wallet (the proposed one) accepts.
    AcceptAuthority,
    /// Show one participant.
    Participant {
        /// Participant wallet (pubkey or keypair file).
        wallet: String,
    },
    /// List participants, filtered by status, role or GLN.
    List {
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Keep participants holding any of these roles (comma-separated).
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        gln: Option<String>,
    },
    /// GS1 Company Prefixes licensed to participants: custody accepts a lot only under a GTIN,
    /// and a case or pallet only under an SSCC, whose prefix the signer holds.
    #[command(subcommand)]
    Prefix(PrefixCommand),
    /// Verify that a wallet holds an active, unexpired credential for a role.
    Check {
        /// Wallet (pubkey or keypair file).
        wallet: String,
        /// Roles (comma-separated); any of them passes.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PrefixCommand {
    /// License a GS1 Company Prefix (4 to 12 digits) to a registered participant (registry
    /// authority).
    Assign {
        /// The company prefix, e.g. 0614141.
        prefix: String,
        /// The participant wallet that holds it (pubkey or keypair file).
        #[arg(long)]
        holder: String,
    },
    /// Take a prefix back (registry authority); units already on chain under it stay.
    Revoke {
        /// The company prefix.
        prefix: String,
    },
    /// List licensed prefixes, optionally of one holder.
    List {
        /// Only the prefixes of this wallet.
        #[arg(long)]
        holder: Option<String>,
    },
    /// Who holds the company prefix of a GTIN (14 digits) or SSCC (18 digits).
    Show {
        /// A GTIN-14 or SSCC-18.
        code: String,
    },
}

fn prefix_json(
    address: &caretrail_sdk::solana_sdk::pubkey::Pubkey,
    p: &reg::CompanyPrefix,
) -> serde_json::Value {
    json!({
        "address": address.to_string(),
        "prefix": reg::prefix_string(&p.prefix),
        "holder": p.holder.to_string(),
        "assigned_by": p.assigned_by.to_string(),
        "assigned_at": caretrail_sdk::util::rfc3339(p.assigned_at),
    })
}

fn prefix_read(ledger: &dyn caretrail_sdk::Ledger, cmd: &PrefixCommand) -> Result<Option<Output>> {
    match cmd {
        PrefixCommand::List { holder } => {
            let holder = holder.as_deref().map(parse_pubkey).transpose()?;
            let all = reg::list_prefixes(ledger, holder.as_ref())?;
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|(_, p)| vec![reg::prefix_string(&p.prefix), p.holder.to_string()])
                .collect();
            let json: Vec<_> = all.iter().map(|(k, p)| prefix_json(k, p)).collect();
            Ok(Some(Output::new(
                json!(json),
                table(&["prefix", "holder"], &rows),
            )))
        }
        PrefixCommand::Show { code } => {
            let digits = code.trim();
            if !matches!(digits.len(), 14 | 18) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                bail!("give a GTIN-14 or an SSCC-18 (digits only), got {digits:?}");
            }
            match reg::find_prefix(ledger, digits.as_bytes())? {
                Some((k, p)) => Ok(Some(Output::new(
                    prefix_json(&k, &p),
                    format!(
                        "{digits}: company prefix {} held by {}",
                        reg::prefix_string(&p.prefix),
                        p.holder
                    ),
                ))),
                None => Ok(Some(Output::new(
                    json!({ "code": digits, "prefix": null }),
                    format!("{digits}: nobody in the registry holds its company prefix"),
                ))),
            }
        }
        PrefixCommand::Assign { .. } | PrefixCommand::Revoke { .. } => Ok(None),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StatusArg {
    Active,
    Suspended,
    Revoked,
}

impl From<StatusArg> for ParticipantStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Active => ParticipantStatus::Active,
            StatusArg::Suspended => ParticipantStatus::Suspended,
            StatusArg::Revoked => ParticipantStatus::Revoked,
        }
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
    #[arg(long)]
    pub credential_commitment: Option<String>,
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
        if let Some(h) = &self.credential_commitment {
            let bytes = caretrail_sdk::util::parse_hex(h)
                .ok_or_else(|| anyhow!("--credential-commitment must be hex"))?;
            let c: [u8; 32] = bytes
                .try_into()
                .map_err(|_| anyhow!("--credential-commitment must be 32 bytes"))?;
            return Ok(Some((c, None)));
        }
        Ok(None)
    }
}

#[derive(Args, Debug)]
pub struct RegisterArgs {
    /// Wallet to register (pubkey or keypair file).
    pub wallet: String,
    /// Roles, comma-separated: manufacturer, repackager, distributor, dispenser, logistics,
    /// provider, researcher, payer, regulator.
    #[arg(long)]
    pub roles: String,
    /// GS1 GLN of the participant (13 digits, check digit verified).
    #[arg(long)]
    pub gln: String,
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// Credential validity in days from now.
    #[arg(long, default_value_t = 365)]
    pub valid_days: i64,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// Participant wallet (pubkey or keypair file).
    pub wallet: String,
    #[arg(long)]
    pub roles: Option<String>,
    #[arg(long)]
    pub gln: Option<String>,
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// New validity in days from now.
    #[arg(long)]
    pub valid_days: Option<i64>,
}

fn tx_output(what: &str, out: &TxOutcome, extra: serde_json::Value) -> Output {
    let mut json = json!({ "signature": out.signature.to_string(), "slot": out.slot });
    if let (Some(obj), Some(extra)) = (json.as_object_mut(), extra.as_object()) {
        obj.extend(extra.clone());
    }
    Output::new(json, format!("{what}\nsignature: {}", out.signature))
}

pub fn execute(ctx: &Context, cmd: RegistryCommand) -> Result<Output> {
    let ledger = ctx.ledger()?;
    if let RegistryCommand::Prefix(p) = &cmd {
        if let Some(out) = prefix_read(ledger, p)? {
            return Ok(out);
        }
    }
    match cmd {
        RegistryCommand::Show => {
            let c = reg::fetch_config(ledger)?.ok_or_else(|| {
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
        RegistryCommand::Participant { wallet } => {
            let wallet = parse_pubkey(&wallet)?;
            let p = reg::fetch_participant(ledger, &wallet)?
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
        RegistryCommand::List { status, role, gln } => {
            let query = ParticipantQuery {
                status: status.map(Into::into),
                any_role: role
                    .as_deref()
                    .map(reg::parse_roles)
                    .transpose()
                    .map_err(|e| anyhow!(e))?,
                gln: gln
                    .as_deref()
                    .map(reg::parse_gln)
                    .transpose()
                    .map_err(|e| anyhow!(e))?,
            };
            let views: Vec<ParticipantView> = reg::list_participants(ledger, &query)?
                .iter()
                .map(|(k, p)| ParticipantView::new(k, p))
                .collect();
            let rows: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.wallet.clone(),
                        v.status.to_string(),
                        v.roles.join(","),
                        v.gln.clone(),
                        v.valid_until.to_string(),
                    ]
                })
                .collect();
            Ok(Output::new(
                serde_json::to_value(&views)?,
                table(&["wallet", "status", "roles", "gln", "valid_until"], &rows),
            ))
        }
        RegistryCommand::Check { wallet, role } => {
            let wallet = parse_pubkey(&wallet)?;
            let mask = reg::parse_roles(&role).map_err(|e| anyhow!(e))?;
            let check = reg::check_role(ledger, &wallet, mask)?;
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
            Ok(Output::new(serde_json::to_value(check)?, human))
        }
        other => {
            let signer = ctx.signer()?;
            let client = RegistryClient::new(ledger, &signer);
            match other {
                RegistryCommand::Init => {
                    let out = client.initialize(&signer)?;
                    Ok(tx_output(
                        &format!(
                            "registry {} initialized; authority {}",
                            reg::config_pda().0,
                            signer.pubkey()
                        ),
                        &out,
                        json!({ "registry": reg::config_pda().0.to_string(), "authority": signer.pubkey().to_string() }),
                    ))
                }
                RegistryCommand::Register(a) => {
                    let wallet = parse_pubkey(&a.wallet)?;
                    let (commitment, salt) = a.credential.resolve()?.ok_or_else(|| {
                        anyhow!("give --credential-file or --credential-commitment")
                    })?;
                    if a.valid_days <= 0 {
                        bail!("--valid-days must be positive");
                    }
                    let now = ledger.get_clock()?.unix_timestamp;
                    let args = RegisterParticipantArgs {
                        wallet,
                        roles: reg::parse_roles(&a.roles).map_err(|e| anyhow!(e))?,
                        gln: reg::parse_gln(&a.gln).map_err(|e| anyhow!(e))?,
                        credential_commitment: commitment,
                        valid_until: now + a.valid_days * 86_400,
                    };
                    let out = client.register(&signer, args)?;
                    let mut human = format!("registered {wallet} as {}", a.roles);
                    if let Some(s) = salt {
                        human.push_str(&format!(
                            "\ncredential salt (give it to the participant; it is not stored anywhere): {}",
                            caretrail_sdk::util::hex(&s)
                        ));
                    }
                    Ok(tx_output(
                        &human,
                        &out,
                        json!({
                            "participant": reg::participant_pda(&wallet).0.to_string(),
                            "wallet": wallet.to_string(),
                            "credential_commitment": caretrail_sdk::util::hex(&commitment),
                            "credential_salt": salt.map(|s| caretrail_sdk::util::hex(&s)),
                        }),
                    ))
                }
                RegistryCommand::Update(a) => {
                    let wallet = parse_pubkey(&a.wallet)?;
                    let now = ledger.get_clock()?.unix_timestamp;
                    let credential = a.credential.resolve()?;
                    let args = UpdateParticipantArgs {
                        roles: a
                            .roles
                            .as_deref()
                            .map(reg::parse_roles)
                            .transpose()
                            .map_err(|e| anyhow!(e))?,
                        gln: a
                            .gln
                            .as_deref()
                            .map(reg::parse_gln)
                            .transpose()
                            .map_err(|e| anyhow!(e))?,
                        credential_commitment: credential.map(|(c, _)| c),
                        valid_until: a.valid_days.map(|d| now + d * 86_400),
                    };
                    let out = client.update(&signer, &wallet, args)?;
                    let salt = credential
                        .and_then(|(_, s)| s)
                        .map(|s| caretrail_sdk::util::hex(&s));
                    Ok(tx_output(
                        &format!("updated {wallet}"),
                        &out,
                        json!({ "wallet": wallet.to_string(), "credential_salt": salt }),
                    ))
                }
                RegistryCommand::Suspend { wallet, reason } => {
                    let wallet = parse_pubkey(&wallet)?;
                    let out = client.suspend(&signer, &wallet, reason)?;
                    Ok(tx_output(
                        &format!("suspended {wallet} (reason {reason})"),
                        &out,
                        json!({ "wallet": wallet.to_string() }),
                    ))
                }
                RegistryCommand::Reinstate { wallet } => {
                    let wallet = parse_pubkey(&wallet)?;
                    let out = client.reinstate(&signer, &wallet)?;
                    Ok(tx_output(
                        &format!("reinstated {wallet}"),
                        &out,
                        json!({ "wallet": wallet.to_string() }),
                    ))
                }
                RegistryCommand::Revoke { wallet, reason } => {
                    let wallet = parse_pubkey(&wallet)?;
                    let out = client.revoke(&signer, &wallet, reason)?;
                    Ok(tx_output(
                        &format!("revoked {wallet} (reason {reason})"),
                        &out,
                        json!({ "wallet": wallet.to_string() }),
                    ))
                }
                RegistryCommand::ProposeAuthority { new_authority } => {
                    let new_authority = parse_pubkey(&new_authority)?;
                    let out = client.propose_authority(&signer, &new_authority)?;
                    Ok(tx_output(
                        &format!("proposed {new_authority} as registry authority; it must run `caretrail registry accept-authority`"),
                        &out,
                        json!({ "pending_authority": new_authority.to_string() }),
                    ))
                }
                RegistryCommand::Prefix(PrefixCommand::Assign { prefix, holder }) => {
                    let holder = parse_pubkey(&holder)?;
                    let seed = reg::parse_prefix(&prefix).map_err(|e| anyhow!(e))?;
                    let out = client.assign_prefix(&signer, &prefix, &holder)?;
                    Ok(tx_output(
                        &format!("GS1 company prefix {prefix} licensed to {holder}"),
                        &out,
                        json!({ "prefix": prefix, "holder": holder.to_string(), "address": reg::prefix_pda(&seed).0.to_string() }),
                    ))
                }
                RegistryCommand::Prefix(PrefixCommand::Revoke { prefix }) => {
                    let out = client.revoke_prefix(&signer, &prefix)?;
                    Ok(tx_output(
                        &format!("GS1 company prefix {prefix} taken back"),
                        &out,
                        json!({ "prefix": prefix }),
                    ))
                }
                RegistryCommand::Prefix(_) => {
                    unreachable!("read-only prefix commands are handled above")
                }
                RegistryCommand::AcceptAuthority => {
                    let out = client.accept_authority(&signer)?;
                    Ok(tx_output(
                        &format!("{} is now the registry authority", signer.pubkey()),
                        &out,
                        json!({ "authority": signer.pubkey().to_string() }),
                    ))
                }
                RegistryCommand::Show
                | RegistryCommand::Participant { .. }
                | RegistryCommand::List { .. }
                | RegistryCommand::Check { .. } => {
                    unreachable!("read-only commands are handled above")
                }
            }
        }
    }
}
