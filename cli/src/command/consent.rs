//! `caretrail consent …`: thin over `caretrail_sdk::consent`, with offline signing for the
//! patient's key (`--sign-only --authority PUBKEY`, then `caretrail tx sign` on the wallet and
//! `caretrail tx submit --signer PUBKEY=SIGNATURE`).

use crate::args;
use crate::command::tx::{finish, OfflineArgs};
use crate::command::Execute;
use crate::context::Context;
use crate::output::Output;
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::consent::{
    self as con, AccessArgs, AmendArgs, EmergencyArgs, GrantArgs, GrantView, Scope,
};
use caretrail_sdk::solana_sdk::{instruction::Instruction, pubkey::Pubkey, signature::Signer};
use clap::{Args, Subcommand};
use serde_json::json;

fn classes(s: &str) -> Result<u16, String> {
    con::parse_classes(s).map_err(|e| e.to_string())
}
fn actions(s: &str) -> Result<u8, String> {
    con::parse_actions(s).map_err(|e| e.to_string())
}
fn purposes(s: &str) -> Result<u8, String> {
    con::parse_purposes(s).map_err(|e| e.to_string())
}
/// An RFC 3339 date or date-time as unix seconds.
fn date(s: &str) -> Result<i64, String> {
    caretrail_sdk::fhir::parse_rfc3339(s).ok_or_else(|| format!("{s:?} is not an RFC 3339 date"))
}
/// A grant's lifetime in days: 1 day to 10 years.
fn days(s: &str) -> Result<i64, String> {
    let d: i64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of days"))?;
    if !(1..=3_650).contains(&d) {
        return Err(format!("{d} days is outside 1..=3650 (ten years)"));
    }
    Ok(d)
}

#[derive(Args, Debug, Clone)]
pub struct ScopeArgs {
    /// Data classes, comma-separated: demographics, conditions, medications, allergies, labs,
    /// imaging, clinical-notes, genomics, mental-health, substance-use,
    /// sexual-reproductive-health, immunizations.
    #[arg(long, value_parser = classes)]
    pub classes: u16,
    /// Actions, comma-separated: access, use, disclose, correct.
    #[arg(long, default_value = "access", value_parser = actions)]
    pub actions: u8,
    /// Purposes of use, comma-separated: TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT.
    #[arg(long, value_parser = purposes)]
    pub purposes: u8,
}

impl ScopeArgs {
    fn scope(&self) -> Scope {
        Scope {
            classes: self.classes,
            actions: self.actions,
            purposes: self.purposes,
        }
    }
}

/// One access: a data class, an action, a purpose.
#[derive(Args, Debug, Clone)]
pub struct AccessKind {
    /// The data class.
    #[arg(long, value_parser = classes)]
    pub class: u16,
    /// The action.
    #[arg(long, default_value = "access", value_parser = actions)]
    pub action: u8,
    /// The purpose of use.
    #[arg(long, value_parser = purposes)]
    pub purpose: u8,
}

#[derive(Args, Debug, Clone)]
pub struct PeriodArgs {
    /// Days from now until the grant expires.
    #[arg(long, conflicts_with = "until", value_parser = days)]
    pub days: Option<i64>,
    /// Expiry as an RFC 3339 date or date-time.
    #[arg(long, value_parser = date)]
    pub until: Option<i64>,
}

impl PeriodArgs {
    fn expires_at(&self, now: i64) -> Option<i64> {
        self.days.map(|d| now + d * 86_400).or(self.until)
    }
}

/// A grant, by address.
#[derive(Args, Debug, Clone)]
pub struct GrantAddress {
    /// The grant account.
    #[arg(value_parser = args::pubkey)]
    pub grant: Pubkey,
}

#[derive(Subcommand, Debug)]
pub enum ConsentCommand {
    /// The patient (or a guardian with --patient) grants a registered provider, researcher,
    /// payer or dispenser access.
    Grant(Grant),
    /// A grantee requests access (the patient approves or rejects), optionally from a FHIR
    /// Consent resource's provision.
    Request(Request),
    /// Approve a requested grant (patient or guardian).
    Approve(Change),
    /// Reject a requested grant (patient or guardian).
    Reject(Change),
    /// Narrow (patient or guardian) or widen (patient) a grant.
    Amend(Amend),
    /// Revoke a grant (patient or guardian).
    Revoke(Change),
    /// Close a revoked, rejected or expired grant; its rent returns to the patient.
    Close(Close),
    /// Name, re-scope (or with --remove, remove) a guardian who acts within its own scope.
    Delegate(Delegate),
    /// Break-glass emergency access by a provider (purpose ETREAT, at most 24 h).
    Emergency(Emergency),
    /// Record one access under a grant (grantee); fails unless the grant permits it now.
    Access(Access),
    /// Would this grantee be allowed this access now? (what an EHR gateway asks)
    Check(Check),
    /// Grants of a patient and/or a grantee.
    List(List),
    /// The audit trail of a patient or a grant (every change and access, from events).
    Audit(Audit),
    /// A grant as a FHIR R4 Consent resource.
    ExportFhir(ExportFhir),
}

impl Execute for ConsentCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            ConsentCommand::Grant(c) => c.execute(ctx),
            ConsentCommand::Request(c) => c.execute(ctx),
            ConsentCommand::Approve(c) => c.run(ctx, "approved", con::approve_ix),
            ConsentCommand::Reject(c) => c.run(ctx, "rejected", con::reject_ix),
            ConsentCommand::Revoke(c) => c.run(ctx, "revoked", con::revoke_ix),
            ConsentCommand::Amend(c) => c.execute(ctx),
            ConsentCommand::Close(c) => c.execute(ctx),
            ConsentCommand::Delegate(c) => c.execute(ctx),
            ConsentCommand::Emergency(c) => c.execute(ctx),
            ConsentCommand::Access(c) => c.execute(ctx),
            ConsentCommand::Check(c) => c.execute(ctx),
            ConsentCommand::List(c) => c.execute(ctx),
            ConsentCommand::Audit(c) => c.execute(ctx),
            ConsentCommand::ExportFhir(c) => c.execute(ctx),
        }
    }
}

fn hash_file(path: &Option<std::path::PathBuf>, default: &[u8]) -> Result<[u8; 32]> {
    Ok(match path {
        Some(p) => caretrail_sdk::hash::sha256(&[
            &std::fs::read(p).with_context(|| format!("reading {}", p.display()))?
        ]),
        None => caretrail_sdk::hash::sha256(&[default]),
    })
}

fn now(ctx: &Context) -> Result<i64> {
    Ok(ctx.ledger()?.get_clock()?.unix_timestamp)
}

fn fetch_grant(ctx: &Context, address: &Pubkey) -> Result<con::ConsentGrant> {
    con::fetch_grant(ctx.ledger()?, address)?
        .ok_or_else(|| caretrail_sdk::Error::not_found("grant", *address).into())
}

#[derive(Args, Debug)]
pub struct Grant {
    /// Grantee wallet.
    #[arg(long, value_parser = args::pubkey)]
    pub grantee: Pubkey,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// The consent document (only its sha256 goes on chain).
    #[arg(long)]
    pub policy_file: Option<std::path::PathBuf>,
    /// Grant id [default: the pair's next free id].
    #[arg(long)]
    pub grant_id: Option<u64>,
    /// The patient, when a guardian signs [default: the signer].
    #[arg(long, value_parser = args::pubkey)]
    pub patient: Option<Pubkey>,
    #[command(flatten)]
    pub offline: OfflineArgs,
}

impl Execute for Grant {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let now = now(ctx)?;
        let (signer, authority) = self.offline.authority(ctx)?;
        let patient = self.patient.unwrap_or(authority);
        let grantee = self.grantee;
        let grant_id = match self.grant_id {
            Some(id) => id,
            None => con::next_grant_id(ledger, &patient, &grantee)?,
        };
        let args = GrantArgs {
            scope: self.scope.scope(),
            not_before: now,
            expires_at: self.period.expires_at(now).unwrap_or(now + 365 * 86_400),
            policy_hash: hash_file(&self.policy_file, b"caretrail default consent policy v1")?,
        };
        con::check_grant(ledger, &patient, &grantee, &args)?;
        let address = con::grant_pda(&patient, &grantee, grant_id).0;
        let ix = con::grant_ix(
            &signer.pubkey(),
            &con::GrantRequest {
                patient: &patient,
                grantee: &grantee,
                authority: &authority,
                grant_id,
                args,
            },
        );
        finish(
            ctx,
            &[ix],
            &signer,
            &self.offline,
            json!({ "grant": address.to_string(), "grant_id": grant_id }),
            &format!("granted: {address}"),
        )
    }
}

#[derive(Args, Debug)]
pub struct Request {
    /// The patient asked.
    #[arg(long, value_parser = args::pubkey)]
    pub patient: Pubkey,
    /// Data classes requested (comma-separated).
    #[arg(long, required_unless_present = "from_fhir", value_parser = classes)]
    pub classes: Option<u16>,
    /// Actions requested.
    #[arg(long, default_value = "access", value_parser = actions)]
    pub actions: u8,
    /// Purposes of use requested.
    #[arg(long, required_unless_present = "from_fhir", value_parser = purposes)]
    pub purposes: Option<u8>,
    /// Days the grant would last.
    #[arg(long, default_value_t = 30, value_parser = days)]
    pub days: i64,
    /// A FHIR R4 Consent JSON file whose provision is requested.
    #[arg(long)]
    pub from_fhir: Option<std::path::PathBuf>,
    /// Grant id [default: the pair's next free id].
    #[arg(long)]
    pub grant_id: Option<u64>,
    /// Also write the QR code a clinic shows the patient at the desk, as FILE.png and FILE.svg
    /// (any .png/.svg extension of FILE is replaced): a Solana Pay transaction request for
    /// the patient's wallet to approve or reject this request through `caretrail serve`.
    #[arg(long, value_name = "FILE")]
    pub qr: Option<std::path::PathBuf>,
    /// The address patients' wallets reach `caretrail serve` at, for the QR code.
    #[arg(
        long,
        value_name = "URL",
        default_value = "http://127.0.0.1:7878",
        requires = "qr"
    )]
    pub qr_url: String,
}

impl Execute for Request {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let now = now(ctx)?;
        let signer = ctx.signer()?;
        let patient = self.patient;
        let (scope, not_before, expires_at) = match &self.from_fhir {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let value: serde_json::Value = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not JSON", path.display()))?;
                let (grantee, scope, start, end) =
                    caretrail_sdk::fhir::request_from_consent(&value)?;
                if grantee != signer.pubkey() {
                    bail!(
                        "the FHIR provision names {grantee} as the recipient, not you ({})",
                        signer.pubkey()
                    );
                }
                (scope, start.max(now), end)
            }
            None => (
                Scope {
                    classes: self.classes.expect("clap requires --classes"),
                    actions: self.actions,
                    purposes: self.purposes.expect("clap requires --purposes"),
                },
                now,
                now + self.days * 86_400,
            ),
        };
        let grant_id = match self.grant_id {
            Some(id) => id,
            None => con::next_grant_id(ledger, &patient, &signer.pubkey())?,
        };
        let args = GrantArgs {
            scope,
            not_before,
            expires_at,
            policy_hash: caretrail_sdk::hash::sha256(&[b"request"]),
        };
        con::check_grant(ledger, &patient, &signer.pubkey(), &args)?;
        let out =
            con::ConsentClient::new(ledger, &signer).request(&signer, &patient, grant_id, args)?;
        let address = con::grant_pda(&patient, &signer.pubkey(), grant_id).0;
        let mut said = format!("requested: {address} (the patient approves or rejects)");
        let mut extra = json!({ "grant": address.to_string(), "grant_id": grant_id });
        if let Some(path) = &self.qr {
            let link = caretrail_serve::qr::decision_link(&self.qr_url, "approve", &address);
            let url = caretrail_serve::qr::solana_pay_url(&link);
            let (png, svg) = caretrail_serve::qr::write(path, &url).map_err(anyhow::Error::msg)?;
            said.push_str(&format!(
                "\nQR code for the patient's wallet: {} and {} ({url})",
                png.display(),
                svg.display()
            ));
            extra["qr"] = json!({
                "png": png.display().to_string(),
                "svg": svg.display().to_string(),
                "solana_pay_url": url,
                "action_url": caretrail_serve::qr::action_url(&link),
                "link": link,
            });
        }
        Ok(Output::tx(said, &out, extra))
    }
}

/// approve / reject / revoke: the signer (or the offline `--authority`) acts as the patient
/// or, when it is not the patient, as the patient's guardian.
#[derive(Args, Debug)]
pub struct Change {
    #[command(flatten)]
    pub grant: GrantAddress,
    #[command(flatten)]
    pub offline: OfflineArgs,
}

impl Change {
    fn run(
        self,
        ctx: &Context,
        what: &str,
        build: impl Fn(&Pubkey, &Pubkey, &Pubkey) -> Instruction,
    ) -> Result<Output> {
        change(ctx, &self.grant.grant, &self.offline, build, what)
    }
}

#[derive(Args, Debug)]
pub struct Amend {
    #[command(flatten)]
    pub grant: GrantAddress,
    /// New data classes [default: unchanged].
    #[arg(long, value_parser = classes)]
    pub classes: Option<u16>,
    /// New actions [default: unchanged].
    #[arg(long, value_parser = actions)]
    pub actions: Option<u8>,
    /// New purposes [default: unchanged].
    #[arg(long, value_parser = purposes)]
    pub purposes: Option<u8>,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub offline: OfflineArgs,
}

impl Execute for Amend {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let address = self.grant.grant;
        let current = fetch_grant(ctx, &address)?.scope;
        let scope = (self.classes.is_some() || self.actions.is_some() || self.purposes.is_some())
            .then(|| Scope {
                classes: self.classes.unwrap_or(current.classes),
                actions: self.actions.unwrap_or(current.actions),
                purposes: self.purposes.unwrap_or(current.purposes),
            });
        let args = AmendArgs {
            scope,
            expires_at: self.period.expires_at(now(ctx)?),
        };
        change(
            ctx,
            &address,
            &self.offline,
            move |g, p, a| con::amend_ix(g, p, a, args.clone()),
            "amended",
        )
    }
}

#[derive(Args, Debug)]
pub struct Close {
    #[command(flatten)]
    pub grant: GrantAddress,
    #[command(flatten)]
    pub offline: OfflineArgs,
}

impl Execute for Close {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let address = self.grant.grant;
        let (signer, authority) = self.offline.authority(ctx)?;
        finish(
            ctx,
            &[con::close_grant_ix(&address, &authority)],
            &signer,
            &self.offline,
            json!({ "grant": address.to_string() }),
            &format!("closed {address}"),
        )
    }
}

#[derive(Args, Debug)]
pub struct Delegate {
    /// The guardian's wallet.
    #[arg(value_parser = args::pubkey)]
    pub guardian: Pubkey,
    /// Remove the guardian instead.
    #[arg(long)]
    pub remove: bool,
    /// Data classes the guardian may act on.
    #[arg(long, required_unless_present = "remove", value_parser = classes)]
    pub classes: Option<u16>,
    /// Actions the guardian may grant.
    #[arg(long, default_value = "access", value_parser = actions)]
    pub actions: u8,
    /// Purposes the guardian may grant.
    #[arg(long, required_unless_present = "remove", value_parser = purposes)]
    pub purposes: Option<u8>,
    /// Days the guardianship lasts.
    #[arg(long, default_value_t = 365, value_parser = days)]
    pub days: i64,
    #[command(flatten)]
    pub offline: OfflineArgs,
}

impl Execute for Delegate {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let guardian = self.guardian;
        let (signer, patient) = self.offline.authority(ctx)?;
        let ix = if self.remove {
            con::remove_delegate_ix(&patient, &guardian)
        } else {
            let scope = Scope {
                classes: self.classes.expect("clap requires --classes"),
                actions: self.actions,
                purposes: self.purposes.expect("clap requires --purposes"),
            };
            con::set_delegate_ix(&patient, &guardian, scope, now(ctx)? + self.days * 86_400)
        };
        let what = if self.remove { "removed" } else { "set" };
        finish(
            ctx,
            &[ix],
            &signer,
            &self.offline,
            json!({ "delegate": con::delegate_pda(&patient, &guardian).0.to_string() }),
            &format!("guardian {guardian} {what}"),
        )
    }
}

#[derive(Args, Debug)]
pub struct Emergency {
    /// The patient.
    #[arg(long, value_parser = args::pubkey, required_unless_present = "review")]
    pub patient: Option<Pubkey>,
    /// Data classes needed.
    #[arg(long, value_parser = classes, required_unless_present = "review")]
    pub classes: Option<u16>,
    /// Actions needed.
    #[arg(long, default_value = "access", value_parser = actions)]
    pub actions: u8,
    /// Hours of access (at most 24).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(i64).range(1..=24))]
    pub hours: i64,
    /// The clinical justification (only its hash goes on chain).
    #[arg(long)]
    pub justification_file: Option<std::path::PathBuf>,
    /// Review a break-glass grant as the patient instead.
    #[arg(long, value_parser = args::pubkey)]
    pub review: Option<Pubkey>,
}

impl Execute for Emergency {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let client = con::ConsentClient::new(ledger, &signer);
        if let Some(g) = self.review {
            let out = client.review_emergency(&signer, &g)?;
            return Ok(Output::tx(
                format!("reviewed break-glass grant {g}"),
                &out,
                json!({ "grant": g.to_string() }),
            ));
        }
        let patient = self.patient.expect("clap requires --patient");
        let scope = Scope {
            classes: self.classes.expect("clap requires --classes"),
            actions: self.actions,
            purposes: con::purpose::ETREAT,
        };
        let grant_id = con::next_grant_id(ledger, &patient, &signer.pubkey())?;
        let args = EmergencyArgs {
            scope,
            duration_seconds: self.hours * 3600,
            justification_hash: hash_file(&self.justification_file, b"emergency")?,
        };
        let out = client.emergency(&signer, &patient, grant_id, args)?;
        let address = con::grant_pda(&patient, &signer.pubkey(), grant_id).0;
        Ok(Output::tx(
            format!(
                "BREAK-GLASS access {address} for {} h; the patient is notified for review",
                self.hours
            ),
            &out,
            json!({ "grant": address.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Access {
    #[command(flatten)]
    pub grant: GrantAddress,
    #[command(flatten)]
    pub kind: AccessKind,
    /// The accessed resource (a file; only its sha256 goes on chain).
    #[arg(long, conflicts_with = "record_proof")]
    pub resource_file: Option<std::path::PathBuf>,
    /// The record read is an anchored version (`caretrail records anchor`): its proof file.
    /// The access names the version (its leaf and batch), checked on chain.
    #[arg(long, value_name = "PROOF")]
    pub record_proof: Option<std::path::PathBuf>,
}

impl Execute for Access {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let address = self.grant.grant;
        let signer = ctx.signer()?;
        let args = AccessArgs {
            class: self.kind.class,
            action: self.kind.action,
            purpose: self.kind.purpose,
            resource_hash: hash_file(&self.resource_file, b"resource")?,
        };
        let client = con::ConsentClient::new(ctx.ledger()?, &signer);
        let Some(path) = &self.record_proof else {
            let out = client.record_access(&signer, &address, args)?;
            return Ok(Output::tx(
                format!("access recorded under {address}"),
                &out,
                json!({ "grant": address.to_string() }),
            ));
        };
        let proof = super::records::read_proof(path)?;
        let out = client.record_anchored_access(&signer, &address, args, &proof)?;
        Ok(Output::tx(
            format!(
                "access to {} v{} (batch {}) recorded under {address}",
                proof.record_id, proof.version, proof.batch
            ),
            &out,
            json!({ "grant": address.to_string(), "batch": proof.batch, "leaf": proof.leaf }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Check {
    /// The patient.
    #[arg(long, value_parser = args::pubkey)]
    pub patient: Pubkey,
    /// The grantee asking.
    #[arg(long, value_parser = args::pubkey)]
    pub grantee: Pubkey,
    #[command(flatten)]
    pub kind: AccessKind,
}

impl Execute for Check {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let d = con::check_access(
            ctx.ledger()?,
            &self.patient,
            &self.grantee,
            self.kind.class,
            self.kind.action,
            self.kind.purpose,
        )?;
        let human = match &d {
            con::Decision::Permit { grant, .. } => format!("PERMIT under grant {grant}"),
            con::Decision::Deny { reason } => format!("DENY: {reason}"),
        };
        Ok(Output::new(serde_json::to_value(&d)?, human).alert(!d.is_permit()))
    }
}

#[derive(Args, Debug)]
pub struct List {
    /// Grants of this patient.
    #[arg(long, value_parser = args::pubkey, required_unless_present = "grantee")]
    pub patient: Option<Pubkey>,
    /// Grants to this grantee.
    #[arg(long, value_parser = args::pubkey)]
    pub grantee: Option<Pubkey>,
}

impl Execute for List {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let now = now(ctx)?;
        let views: Vec<GrantView> =
            con::list_grants(ctx.ledger()?, self.patient.as_ref(), self.grantee.as_ref())?
                .iter()
                .map(|(k, x)| GrantView::new(k, x, now))
                .collect();
        Output::list(
            &views,
            &[
                "grant", "status", "grantee", "classes", "purposes", "expires", "accesses",
            ],
            |v| {
                vec![
                    v.address.clone(),
                    v.status.to_string(),
                    v.grantee.clone(),
                    v.classes.join(","),
                    v.purposes.join(","),
                    v.expires_at.clone(),
                    v.access_count.to_string(),
                ]
            },
        )
    }
}

#[derive(Args, Debug)]
pub struct Audit {
    /// A patient's wallet or a grant account.
    #[arg(value_parser = args::pubkey)]
    pub address: Pubkey,
}

impl Execute for Audit {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let trail = con::audit_trail(ctx.ledger()?, &self.address)?;
        Output::list(&trail, &["time", "event", "by", "grant"], |e| {
            vec![
                e.time.clone(),
                e.event.to_string(),
                e.by.clone(),
                e.grant.clone(),
            ]
        })
    }
}

#[derive(Args, Debug)]
pub struct ExportFhir {
    #[command(flatten)]
    pub grant: GrantAddress,
}

impl Execute for ExportFhir {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let address = self.grant.grant;
        let g = fetch_grant(ctx, &address)?;
        let resource = caretrail_sdk::fhir::consent_resource(&address, &g, now(ctx)?);
        let text = serde_json::to_string_pretty(&resource)?;
        Ok(Output::new(resource, text))
    }
}

fn change(
    ctx: &Context,
    address: &Pubkey,
    offline: &OfflineArgs,
    build: impl Fn(&Pubkey, &Pubkey, &Pubkey) -> Instruction,
    what: &str,
) -> Result<Output> {
    let g = fetch_grant(ctx, address)?;
    let (signer, authority) = offline.authority(ctx)?;
    con::check_decision(&g, &authority)?;
    let ix = build(address, &g.patient, &authority);
    let out = finish(
        ctx,
        &[ix],
        &signer,
        offline,
        json!({ "grant": address.to_string() }),
        &format!("{what}: {address}"),
    )?;
    if offline.sign_only {
        return Ok(out);
    }
    let ledger = ctx.ledger()?;
    let g = fetch_grant(ctx, address)?;
    let mut json = out.json;
    json["state"] = serde_json::to_value(GrantView::new(
        address,
        &g,
        ledger.get_clock()?.unix_timestamp,
    ))?;
    Ok(Output::new(json, out.human))
}

#[cfg(test)]
mod tests {
    #[test]
    fn lifetimes_are_bounded() {
        assert_eq!(super::days("30"), Ok(30));
        assert!(super::days("99999999").unwrap_err().contains("1..=3650"));
        assert!(super::days("0").is_err());
    }
}
